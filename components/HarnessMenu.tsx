import { Box } from 'ink';
import { fit, type Segment } from '../src/cockpit/format.js';
import { clampWindow } from '../src/cockpit/layout.js';
import { useCockpit } from './context.js';
import { Line } from './Line.js';

/** The `h` menu: every harness a task run can name, the picked ones checked, in run order. */
export function HarnessMenu({ width, height }: { width: number; height: number }) {
  const options = useCockpit((s) => s.harnessOptions);
  const pick = useCockpit((s) => s.harnessPick);
  const index = useCockpit((s) => s.harnessIndex);
  const idWidth = Math.min(24, Math.max(8, ...options.map((o) => o.id.length)));
  // title, the pick, then the options
  const visible = Math.max(0, height - 2);
  const top = clampWindow(index - visible + 1, visible, options.length);
  const rows = options.slice(top, top + visible).map((option, i) => {
    const at = top + i === index;
    const on = pick.includes(option.id);
    const kind = option.external ? 'agent CLI' : option.id === 'builtin' ? "brainbench's tool loop" : option.id === 'oracle' ? "the task's solution (checks the grader)" : 'does nothing (the floor)';
    const tail = option.installed ? `  ${kind}` : `  not installed${option.install ? ` — ${option.install}` : ''}`;
    const segs: Segment[] = [
      { text: at ? ' › ' : '   ', bold: true },
      { text: on ? '[x] ' : '[ ] ', bold: on, color: on ? 'green' : undefined },
      { text: fit(option.id, idWidth), bold: on, inverse: at, dim: !option.installed },
      { text: fit(tail, Math.max(0, width - idWidth - 7)), dim: !option.installed, color: option.installed ? undefined : 'yellow' },
    ];
    return <Line key={option.id} segments={segs} />;
  });
  return (
    <Box flexDirection="column" width={width}>
      <Line segments={[{ text: fit(' Harnesses for task runs — ↑/↓ choose · space pick · enter/esc done', width), bold: true }]} />
      <Line segments={[{ text: fit(`   r runs: ${pick.join(', ')} (each in turn on the resident lane)`, width), color: 'cyan' }]} />
      {rows}
    </Box>
  );
}
