import { Box } from 'ink';
import { memo } from 'react';
import { keyLineSegments, statusSegments } from '../src/cockpit/footer.js';
import { laneBarSegments } from '../src/cockpit/laneBar.js';
import { runState } from '../src/cockpit/runView.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** One line of what needs saying now: a question, the answer to the last key, else run state and the cell under the cursor. */
const StatusLine = memo(function StatusLine({ width }: { width: number }) {
  const run = useCockpit((s) => s.run);
  const cursor = useCockpit((s) => s.cursor);
  const quitting = useCockpit((s) => s.quitting);
  const view = useCockpit((s) => s.view);
  const pendingSwap = useCockpit((s) => s.pendingSwap);
  const notice = useCockpit((s) => s.notice);
  const lastError = useCockpit((s) => s.lastError);
  const attached = useCockpit((s) => s.attached);
  const lanes = useCockpit((s) => s.lanes);
  return <Line segments={statusSegments({ run, cursor, quitting, view, pendingSwap, notice, lastError, attached, lanes }, width)} />;
});

const LaneBar = memo(function LaneBar({ width }: { width: number }) {
  const lanes = useCockpit((s) => s.lanes);
  const resident = useCockpit((s) => s.resident);
  return <Line segments={laneBarSegments(lanes, resident, width)} />;
});

const KeyLine = memo(function KeyLine({ width }: { width: number }) {
  const state = useCockpit((s) => runState(s.run));
  const attached = useCockpit((s) => s.attached);
  const harnesses = useCockpit((s) => s.harnessOptions.length > 0);
  return <Line segments={keyLineSegments(state, attached, width, harnesses)} />;
});

export const Footer = memo(function Footer({ width }: { width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <StatusLine width={width} />
      <LaneBar width={width} />
      <KeyLine width={width} />
    </Box>
  );
});
