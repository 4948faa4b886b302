import { memo } from 'react';
import { headerSegments } from '../src/cockpit/header.js';
import { elapsedSeconds, etaSeconds } from '../src/cockpit/runView.js';
import { useCockpit, usePulse } from './context.js';
import { Line } from './Line.js';

export const Header = memo(function Header({ width }: { width: number }) {
  const lane = useCockpit((s) => s.lanes.find((l) => l.id === s.resident) ?? null);
  const simulated = useCockpit((s) => (s.run ? s.run.simulated : false) || lane?.kind === 'demo');
  const suite = useCockpit((s) => s.run?.suite ?? s.suite);
  const n = useCockpit((s) => s.run?.n ?? s.n);
  const paused = useCockpit((s) => Boolean(s.run?.pausedReason));
  const ended = useCockpit((s) => Boolean(s.run?.ended));
  const eta = useCockpit((s) => (s.run ? etaSeconds(s.run) : null));
  // The run clock advances with the pulse (each second while the run is active).
  usePulse();
  const startedAt = useCockpit((s) => s.run?.startedAt ?? null);
  const endedAt = useCockpit((s) => s.run?.ended?.at ?? null);
  const elapsed = startedAt === null ? null : elapsedSeconds(startedAt, endedAt, Date.now());
  return <Line segments={headerSegments({ lane, simulated, suite, n, elapsed, eta, paused, ended }, width)} />;
});
