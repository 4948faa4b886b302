import { Box } from 'ink';
import { memo } from 'react';
import { eventLogLines } from '../src/cockpit/eventLog.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** The newest log entries under the matrix, one line each; `e` shows the last problem in full. */
export const EventLog = memo(function EventLog({ width, height }: { width: number; height: number }) {
  const logs = useCockpit((s) => s.logs);
  const lines = eventLogLines(logs, height - 1, width);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Line segments={[{ text: `─ events ${'─'.repeat(Math.max(0, width - 9))}`.slice(0, width), dim: true }]} />
      {lines.map((segments, i) => (
        <Line key={i} segments={segments} />
      ))}
    </Box>
  );
});
