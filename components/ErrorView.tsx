import { Box } from 'ink';
import { useEffect, useMemo } from 'react';
import { fullEntryLines } from '../src/cockpit/eventLog.js';
import { fit } from '../src/cockpit/format.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** The `e` overlay: the newest warning or error in full, wrapped to the width, scrollable. */
export function ErrorView({ width, height }: { width: number; height: number }) {
  const entry = useCockpit((s) => s.lastError);
  const scroll = useCockpit((s) => s.errorScroll);
  const setViewport = useCockpit((s) => s.setViewport);
  const lines = useMemo(() => (entry ? fullEntryLines(entry, width) : []), [entry, width]);
  const rows = Math.max(0, height - 1);
  useEffect(() => setViewport({ errorRows: rows, errorLines: lines.length }), [rows, lines.length, setViewport]);
  const top = Math.min(scroll, Math.max(0, lines.length - rows));
  const position = lines.length > rows ? ` · lines ${top + 1}–${Math.min(lines.length, top + rows)}/${lines.length}` : '';
  return (
    <Box flexDirection="column" width={width}>
      <Line segments={[{ text: fit(` Last error in full — esc back · ↑/↓ scroll${position}`, width), bold: true }]} />
      {lines.slice(top, top + rows).map((segments, i) => (
        <Line key={top + i} segments={[segments]} />
      ))}
    </Box>
  );
}
