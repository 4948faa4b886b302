import { Text } from 'ink';
import { memo } from 'react';
import { mergeSegments, type Segment } from '../src/cockpit/format.js';

/**
 * Drops the spaces that end a line: Ink fills the rest of the row with blanks anyway, and every
 * character written costs it work on every frame. Inverse (cursor) spaces are drawn, so kept.
 */
function trimEnd(segments: Segment[]): Segment[] {
  const last = segments[segments.length - 1];
  if (!last || last.inverse) return segments;
  const text = last.text.trimEnd();
  if (text === last.text) return segments;
  return text ? [...segments.slice(0, -1), { ...last, text }] : trimEnd(segments.slice(0, -1));
}

/** One screen line from styled segments; truncates rather than wraps, so it is always one line. */
export const Line = memo(function Line({ segments }: { segments: readonly Segment[] }) {
  const shown = trimEnd(mergeSegments(segments));
  if (shown.length === 0) return <Text> </Text>;
  // Fewer styled runs and characters make Ink's per-frame work (ANSI tokenizing, width measuring) cheaper.
  return (
    <Text wrap="truncate">
      {shown.map((s, i) =>
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
