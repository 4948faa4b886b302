import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttemptRecord, LaneScorecard } from '../../src/types.js';
import { spawnCli, tempDir } from '../helpers/cli.js';

function journalOf(results: string): { runId: string; records: AttemptRecord[] } {
  const runId = readdirSync(join(results, 'runs'))[0]!;
  const path = join(results, 'runs', runId, 'journal.jsonl');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return { runId, records: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AttemptRecord) };
}

const passCounts = (card: LaneScorecard) => Object.fromEntries(card.prompts.map((p) => [p.prompt_id, p.pass_count]));

describe('kill -9 mid-run, then --resume', () => {
  it('keeps every finished attempt exactly once and matches an uninterrupted run', async () => {
    const env = { BRAINBENCH_STATE_DIR: tempDir('bb-state-') };
    const args = ['run', '--lane', 'demo', '--brain', 'strong', '-n', '3', '--tok-per-sec', '400'];

    const interrupted = tempDir('bb-killed-');
    const child = spawnCli([...args, '--results', interrupted], { env });
    // wait until a handful of attempts are journaled, then kill without warning
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(join(interrupted, 'runs')) && journalOf(interrupted).records.length >= 6) break;
    }
    child.kill('SIGKILL');
    await child;
    const before = journalOf(interrupted);
    expect(before.records.length).toBeGreaterThanOrEqual(6);
    expect(existsSync(join(interrupted, 'demo.json'))).toBe(false);

    const resumed = await spawnCli(['run', '--resume', before.runId, '--results', interrupted], { env });
    expect(resumed.exitCode, String(resumed.stderr)).toBe(0);
    const after = journalOf(interrupted);
    // finished attempts survive untouched, in order, and nothing is repeated
    expect(after.records.slice(0, before.records.length)).toEqual(before.records);
    const keys = after.records.map((r) => `${r.prompt_id}#${r.attempt}`);
    expect(new Set(keys).size).toBe(keys.length);

    const fresh = tempDir('bb-fresh-');
    const full = await spawnCli([...args, '--results', fresh], { env });
    expect(full.exitCode, String(full.stderr)).toBe(0);
    const expected = journalOf(fresh).records.map((r) => `${r.prompt_id}#${r.attempt}`).sort();
    expect([...keys].sort()).toEqual(expected);

    const cardOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'demo.json'), 'utf8')) as LaneScorecard;
    expect(passCounts(cardOf(interrupted))).toEqual(passCounts(cardOf(fresh)));
  }, 180_000);
});
