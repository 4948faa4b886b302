// brainbench's own time per attempt: the attempt's wall from the runner's start of the slot to
// the journal append, minus the agent's wait on the lane and on tools (attempt.end overheadS),
// against the fake lane at zero latency. Run: npx tsx bench/overhead.ts
// Prints figures; asserts nothing. Target: median under 5 ms.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mean, percentile } from '../src/stats.js';
import { scratchRoot } from '../src/run/scratch-root.js';
import { runShell } from '../src/agent/shell.js';
import { openSandbox, sandboxAvailable } from '../src/sandbox/sandbox.js';
import { copyScratch } from '../src/suite/scratch.js';
import type { Suite } from '../src/types.js';
import { loadBrainV1, runOnFakeLane } from './lib/fakeRun.js';

const ATTEMPTS = 200;
const TARGET_MS = 5;

/** Median ms of the per-attempt scratch copy alone: usually the largest share of the overhead. */
async function scratchCopyMs(suite: Suite, rounds = 50): Promise<number> {
  const dir = await mkdtemp(join(dirname(scratchRoot(tmpdir(), 'bench')), 'bb-bench-scratch-'));
  const times: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      await copyScratch(suite, join(dir, String(i)));
      times.push(performance.now() - started);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return percentile(times, 50)!;
}

/** Median ms of one run_shell call (spawn to exit of `true`, limits and work-folder watch included), and of opening + closing a sandbox. */
async function shellCallMs(rounds = 30): Promise<{ call: number; open: number } | null> {
  if (!(await sandboxAvailable())) return null;
  const dir = await mkdtemp(join(dirname(scratchRoot(tmpdir(), 'bench')), 'bb-bench-shell-'));
  await chmod(dir, 0o755); // as root the sandbox runs as its own uid
  const calls: number[] = [];
  const opens: number[] = [];
  try {
    const sandbox = await openSandbox({ workDir: dir });
    await runShell(sandbox, 'true');
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      await runShell(sandbox, 'true');
      calls.push(performance.now() - started);
    }
    await sandbox.close();
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      await (await openSandbox({ workDir: dir })).close();
      opens.push(performance.now() - started);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { call: percentile(calls, 50)!, open: percentile(opens, 50)! };
}

async function main(): Promise<void> {
  const suite = await loadBrainV1();
  // one warm-up pass so module loading and JIT do not count
  await runOnFakeLane({ brain: 'strong', n: 1, parallel: 1, tokPerSec: 0, suite });
  const n = Math.ceil(ATTEMPTS / suite.prompts.length);
  const run = await runOnFakeLane({ brain: 'strong', n, parallel: 1, tokPerSec: 0, suite });
  const overheadMs = run.events
    .flatMap((e) => (e.type === 'attempt.end' && e.overheadS !== undefined ? [e.overheadS * 1000] : []))
    .slice(0, ATTEMPTS);
  const walls = run.journal.slice(0, ATTEMPTS).map((r) => r.wall_s * 1000);
  const median = percentile(overheadMs, 50)!;

  console.log(`brainbench overhead per attempt, fake lane at zero latency (brain strong, ${suite.name}, ${overheadMs.length} attempts, sequential)`);
  console.log(`  median ${median.toFixed(2)} ms · p95 ${percentile(overheadMs, 95)!.toFixed(2)} ms · mean ${mean(overheadMs)!.toFixed(2)} ms · max ${Math.max(...overheadMs).toFixed(2)} ms`);
  console.log(`  attempt wall (agent loop incl. waits): median ${percentile(walls, 50)!.toFixed(2)} ms`);
  console.log(`  of which the scratch copy (copyScratch, under ${dirname(scratchRoot(tmpdir(), 'bench'))}): median ${(await scratchCopyMs(suite)).toFixed(2)} ms`);
  const shell = await shellCallMs();
  console.log(
    shell
      ? `  run_shell (not counted above: tool time): one call of \`true\` median ${shell.call.toFixed(2)} ms · sandbox open + close median ${shell.open.toFixed(2)} ms`
      : '  run_shell: bubblewrap cannot build a sandbox here (not measured)',
  );
  console.log(`  target: median < ${TARGET_MS} ms → ${median < TARGET_MS ? 'met' : 'NOT met'}`);
}

await main();
