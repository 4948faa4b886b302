import { Text } from 'ink';
import { memo } from 'react';
import { mergeSegments, type Segment } from '../src/cockpit/format.js';

/** One screen line from styled segments; truncates rather than wraps, so it is always one line. */
export const Line = memo(function Line({ segments }: { segments: readonly Segment[] }) {
  if (segments.length === 0) return <Text> </Text>;
  // Fewer styled runs make Ink's per-frame work (ANSI tokenizing, width measuring) cheaper.
  return (
    <Text wrap="truncate">
      {mergeSegments(segments).map((s, i) =>
        s.color || s.bold || s.dim || s.inverse ? (
          <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
            {s.text}
          </Text>
        ) : (
          s.text
        ),
      )}
    </Text>
  );
});
