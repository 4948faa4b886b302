import { Text } from 'ink';
import { memo } from 'react';
import type { Segment } from '../src/cockpit/format.js';

/** One screen line from styled segments; truncates rather than wraps, so it is always one line. */
export const Line = memo(function Line({ segments }: { segments: readonly Segment[] }) {
  return (
    <Text wrap="truncate">
      {segments.length === 0
        ? ' '
        : segments.map((s, i) => (
            <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
              {s.text}
            </Text>
          ))}
    </Text>
  );
});
