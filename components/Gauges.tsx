import { Box } from 'ink';
import { memo, useMemo } from 'react';
import { gaugeLines, legendLines } from '../src/cockpit/gauges.js';
import { etaSeconds } from '../src/cockpit/runView.js';
import { liveTokPerSec } from '../src/store.js';
import { useCockpitStore, usePulse } from './context.js';
import { Line } from './Line.js';

/**
 * GPU, temperature, memory, live and probe tok/s, progress and ETA, then the legend where there
 * is room. Redrawn on the pulse, not on each sample or token tick (see usePulse).
 */
export const Gauges = memo(function Gauges({ width, height }: { width: number; height: number }) {
  usePulse();
  const s = useCockpitStore().getState();
  const lane = s.run?.lane ?? s.resident;
  const gauges = gaugeLines(
    {
      telemetry: s.telemetry,
      latest: s.latest,
      liveTokPerSec: liveTokPerSec(s),
      probeTokPerSec: s.probe && s.probe.lane === lane ? s.probe.result.tokens_per_sec : null,
      done: s.run?.done ?? null,
      total: s.run?.total ?? null,
      eta: s.run ? etaSeconds(s.run) : null,
    },
    width,
  );
  const legend = useMemo(() => legendLines(width), [width]);
  const lines = gauges.length + 1 + legend.length <= height ? [...gauges, [], ...legend] : gauges.slice(0, height);
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((segments, i) => (
        <Line key={i} segments={segments} />
      ))}
    </Box>
  );
});
