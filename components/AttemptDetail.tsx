import { Spinner } from '@inkjs/ui';
import { Box } from 'ink';
import { useEffect, useMemo } from 'react';
import { detailLines } from '../src/cockpit/detail.js';
import { fit } from '../src/cockpit/format.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** One attempt: verdict, check reason, timing, tools, answer and the transcript, scrollable. */
export function AttemptDetail({ width, height }: { width: number; height: number }) {
  const detail = useCockpit((s) => s.detail);
  const setViewport = useCockpit((s) => s.setViewport);
  const lines = useMemo(
    () => (detail ? detailLines(detail.record, detail.transcript, detail.error, width) : []),
    [detail?.record, detail?.transcript, detail?.error, width],
  );
  const rows = Math.max(0, height - 1);
  useEffect(() => setViewport({ detailRows: rows, detailLines: lines.length }), [rows, lines.length, setViewport]);
  if (!detail) return null;
  const top = Math.min(detail.scroll, Math.max(0, lines.length - rows));
  const shown = lines.slice(top, top + rows);
  const position = lines.length > rows ? ` · lines ${top + 1}–${top + shown.length}/${lines.length}` : '';
  return (
    <Box flexDirection="column" width={width}>
      <Line segments={[{ text: fit(` Attempt detail — esc back · ↑/↓ space pgup/pgdn scroll${position}`, width), bold: true }]} />
      {shown.map((line, i) => (
        <Line key={top + i} segments={[line]} />
      ))}
      {detail.transcript === null && !detail.error && rows > shown.length && (
        <Box height={1} width={width} overflowY="hidden">
          <Spinner label="reading transcript" />
        </Box>
      )}
    </Box>
  );
}
