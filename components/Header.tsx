import { memo } from 'react';
import { headerSegments } from '../src/cockpit/header.js';
import { elapsedSeconds, partialMark, runEndedAt, runState } from '../src/cockpit/runView.js';
import { useCockpit, usePulse } from './context.js';
import { Line } from './Line.js';

export const Header = memo(function Header({ width }: { width: number }) {
  const lane = useCockpit((s) => s.lanes.find((l) => l.id === s.resident) ?? null);
  // simulated follows the resident lane, never a finished run on another lane
  const simulated = useCockpit((s) => {
    const resident = s.lanes.find((l) => l.id === s.resident);
    return resident?.kind === 'demo' || (s.run !== null && s.run.lane === s.resident && s.run.simulated);
  });
  const suite = useCockpit((s) => s.run?.suite ?? s.suite);
  const harness = useCockpit((s) => s.run?.harness ?? null);
  const n = useCockpit((s) => s.run?.n ?? s.n);
  const state = useCockpit((s) => runState(s.run));
  const partial = partialMark(useCockpit((s) => s.run?.ended?.scorecard ?? null));
  const clock = useCockpit((s) => s.clock);
  // The run clock advances with the pulse (each second while the run is active).
  usePulse();
  const startedAt = useCockpit((s) => s.run?.startedAt ?? null);
  const endedAt = useCockpit((s) => runEndedAt(s.run));
  const elapsed = startedAt === null ? null : elapsedSeconds(startedAt, endedAt, clock());
  return <Line segments={headerSegments({ lane, simulated, suite, harness, n, elapsed, state, partial }, width)} />;
});
