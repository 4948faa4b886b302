import { Box, Text } from 'ink';
import { MIN_COLUMNS, MIN_ROWS } from '../src/store.js';

/** Instead of a frame with columns missing: what size is needed, and the one key that works. */
export function TooSmall({ columns, rows, height }: { columns: number; rows: number; height: number }) {
  const lines = [`terminal too small (need ${MIN_COLUMNS}×${MIN_ROWS}, have ${columns}×${rows})`, 'enlarge it, or q to quit'];
  return (
    <Box flexDirection="column" width={columns} height={height} overflowY="hidden">
      {lines.slice(0, height).map((line) => (
        <Text key={line} wrap="truncate">
          {line}
        </Text>
      ))}
    </Box>
  );
}
