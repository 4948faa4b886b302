import { Box } from 'ink';
import { memo } from 'react';
import { fit, type Segment } from '../src/cockpit/format.js';
import { KEY_LINE } from '../src/cockpit/keys.js';
import { laneBarSegments } from '../src/cockpit/laneBar.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

const LEVEL_COLOR = { info: undefined, warn: 'yellow', error: 'red' } as const;

/** One line of what needs saying now: a confirm question, quitting, a pause, or the newest log line. */
const StatusLine = memo(function StatusLine({ width }: { width: number }) {
  const quitting = useCockpit((s) => s.quitting);
  const pendingSwap = useCockpit((s) => (s.view === 'confirm' ? s.pendingSwap : null));
  const paused = useCockpit((s) => s.run?.pausedReason ?? null);
  const last = useCockpit((s) => s.logs[s.logs.length - 1] ?? null);
  let segment: Segment;
  if (quitting) segment = { text: ' quitting: stopping what the cockpit started…', color: 'yellow' };
  else if (pendingSwap)
    segment = { text: ` Run active. [m] move the run to ${pendingSwap} · [x] stop the run and swap · [esc] cancel`, color: 'yellow', bold: true };
  else if (paused) segment = { text: ` paused: ${paused} · p resumes`, color: 'yellow' };
  else if (last) segment = { text: ` ${last.message}`, color: LEVEL_COLOR[last.level] };
  else segment = { text: '' };
  return <Line segments={[{ ...segment, text: fit(segment.text, width) }]} />;
});

const LaneBar = memo(function LaneBar({ width }: { width: number }) {
  const lanes = useCockpit((s) => s.lanes);
  const resident = useCockpit((s) => s.resident);
  return <Line segments={laneBarSegments(lanes, resident, width)} />;
});

export const Footer = memo(function Footer({ width }: { width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <StatusLine width={width} />
      <LaneBar width={width} />
      <Line segments={[{ text: fit(` ${KEY_LINE}`, width), dim: true }]} />
    </Box>
  );
});
