import { Box } from 'ink';
import { memo, useMemo } from 'react';
import { eventLogLine } from '../src/cockpit/eventLog.js';
import type { LogLine } from '../src/store.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** One log entry; keyed by its sequence number, so a new entry draws one row, not the whole log. */
const EventRow = memo(function EventRow({ entry, width }: { entry: LogLine; width: number }) {
  const segments = useMemo(() => eventLogLine(entry, width), [entry, width]);
  return <Line segments={segments} />;
});

/** The newest log entries under the matrix, one line each; `e` shows the last problem in full. */
export const EventLog = memo(function EventLog({ width, height }: { width: number; height: number }) {
  const logs = useCockpit((s) => s.logs);
  const title = useMemo(() => [{ text: `─ events ${'─'.repeat(Math.max(0, width - 9))}`.slice(0, width), dim: true }], [width]);
  const rows = Math.max(0, height - 1);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line segments={title} />
      {rows > 0 && logs.slice(-rows).map((entry) => <EventRow key={entry.seq} entry={entry} width={width} />)}
    </Box>
  );
});
