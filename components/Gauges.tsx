import { Box } from 'ink';
import { memo } from 'react';
import { gaugeLines, legendLines } from '../src/cockpit/gauges.js';
import { etaSeconds } from '../src/cockpit/runView.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** GPU, temperature, memory, tok/s, progress and ETA, then the legend where there is room. */
export const Gauges = memo(function Gauges({ width, height }: { width: number; height: number }) {
  const telemetry = useCockpit((s) => s.telemetry);
  const latest = useCockpit((s) => s.latest);
  const live = useCockpit((s) => s.liveTokPerSec);
  const probe = useCockpit((s) => s.probe?.result.tokens_per_sec ?? null);
  const done = useCockpit((s) => s.run?.done ?? null);
  const total = useCockpit((s) => s.run?.total ?? null);
  const eta = useCockpit((s) => (s.run ? etaSeconds(s.run) : null));
  const tokPerSec = live ?? probe;
  const tokSource = live !== null ? 'live' : probe !== null ? 'probe' : null;
  const gauges = gaugeLines({ telemetry, latest, tokPerSec, tokSource, done, total, eta }, width);
  const legend = legendLines(width);
  const lines = gauges.length + 1 + legend.length <= height ? [...gauges, [], ...legend] : gauges.slice(0, height);
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((segments, i) => (
        <Line key={i} segments={segments} />
      ))}
    </Box>
  );
});
