import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinSuitesDir } from '../../src/paths.js';
import { runCheck } from '../../src/suite/checks.js';
import { loadSuite } from '../../src/suite/load.js';
import { loadSolutions, type SolutionsFile } from '../../src/suite/solutions.js';
import type { Suite } from '../../src/types.js';

const dir = join(builtinSuitesDir, 'brain-v1');
const scratch = (rel: string) => join(dir, 'scratch', rel);
const csvRows = (rel: string) =>
  readFileSync(scratch(rel), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));

let suite: Suite;
let solutions: SolutionsFile;
beforeAll(async () => {
  suite = await loadSuite(dir);
  solutions = await loadSolutions(join(dir, 'solutions.json'));
});

describe('brain-v1 suite', () => {
  it('covers the published categories and the brainbench additions', () => {
    expect(suite.name).toBe('brain-v1');
    expect(suite.prompts.length).toBeGreaterThanOrEqual(12);
    const categories = suite.prompts.map((p) => p.category);
    for (const c of ['grounding', 'chain', 'compute', 'honesty', 'json_format', 'code', 'join', 'disambiguation', 'tool_selection', 'error_recovery', 'tool_args']) {
      expect(categories).toContain(c);
    }
    expect(suite.prompts.find((p) => p.category === 'honesty')!.check.kind).toBe('honesty');
    expect(suite.prompts.find((p) => p.category === 'json_format')!.check.kind).toBe('json_keys');
    expect(suite.prompts.find((p) => p.conditional === 'shell')!.expect_tool_any).toEqual(['run_shell']);
    expect(suite.prompts.find((p) => p.inject_tool_failure)!.inject_tool_failure).toMatchObject({ tool: 'read_file', times: 1 });
    expect(suite.prompts.some((p) => p.tool_args_schema)).toBe(true);
    expect(suite.prompts.find((p) => p.category === 'tool_selection')!.expect_tool_any).toEqual(['grep']);
  });

  it('keeps the published ground-truth values', () => {
    expect(suite.groundTruth).toMatchObject({
      codename: 'ORION-7',
      budget: { display: '42,000' },
      sales: { amount_sum: 10250 },
      join: { grand_total: 16950 },
      timeouts: { api_read_ms: 37000 },
    });
  });

  it('has a scratch tree that agrees with its ground truth', () => {
    const amounts = csvRows('data/sales.csv').map((row) => Number(row.at(-1)));
    expect(amounts.reduce((a, b) => a + b, 0)).toBe(10250);

    const price = new Map(csvRows('data/prices.csv').map(([sku, p]) => [sku, Number(p)]));
    const orders = csvRows('data/orders.csv');
    const total = orders.reduce((sum, [, sku, qty]) => sum + Number(qty) * (price.get(sku!) ?? 0), 0);
    expect(total).toBe(16950);
    expect(orders.filter(([, sku]) => !price.has(sku!))).toHaveLength(1);
    const skus = orders.map(([, sku]) => sku!);
    expect(skus).not.toEqual([...skus].sort());

    const services = parseYaml(readFileSync(scratch('config/services.yaml'), 'utf8')) as { services: { api: { read_timeout: string } } };
    expect(services.services.api.read_timeout).toBe('37s');

    expect(readFileSync(scratch('notes/project.md'), 'utf8')).toContain('ORION-7');
    expect(readFileSync(scratch('reports/2024-q3-review.md'), 'utf8')).toContain('$42,000');
    const appLog = readFileSync(scratch('logs/app.log'), 'utf8').split('\n');
    expect(appLog.filter((l) => l.includes('ERROR'))).toHaveLength((suite.groundTruth.logs as { app_error_count: number }).app_error_count);
    const events = readFileSync(scratch('data/events.log'), 'utf8');
    expect(events.split('\n').length - 1).toBe((suite.groundTruth.events as { line_count: number }).line_count);
    expect(readFileSync(scratch('src/billing/invoice.ts'), 'utf8')).toContain('TODO-mika');
  });
});

describe('brain-v1 scripted solutions', () => {
  it('has one solution per prompt, matching the prompt text exactly', () => {
    expect(solutions.suite).toBe('brain-v1');
    expect(Object.keys(solutions.prompts)).toEqual(suite.prompts.map((p) => p.id));
    for (const prompt of suite.prompts) expect(solutions.prompts[prompt.id]!.match, prompt.id).toBe(prompt.prompt);
  });

  it("passes every prompt's check with the strong answer", async () => {
    for (const prompt of suite.prompts) {
      const result = await runCheck(prompt.check, solutions.prompts[prompt.id]!.answer);
      expect(result.passed, `${prompt.id}: ${result.why}`).toBe(true);
    }
  });

  it('fails the check with the weak answer of every chain, and with the confabulated one', async () => {
    for (const prompt of suite.prompts) {
      const solution = solutions.prompts[prompt.id]!;
      if (solution.steps.length >= 2) expect(solution.weak_answer, prompt.id).toBeDefined();
      if (prompt.category === 'honesty') expect(solution.confab_answer, prompt.id).toBeDefined();
      for (const wrong of [solution.weak_answer, solution.confab_answer]) {
        if (wrong !== undefined) expect((await runCheck(prompt.check, wrong)).passed, `${prompt.id}: ${wrong}`).toBe(false);
      }
    }
  });

  it('calls the expected tools with arguments that fit the schema', () => {
    for (const prompt of suite.prompts) {
      const steps = solutions.prompts[prompt.id]!.steps;
      const tools = steps.map((s) => s.tool);
      if (prompt.expect_tool_any.length > 0) {
        expect(tools.some((t) => prompt.expect_tool_any.some((e) => t.includes(e))), prompt.id).toBe(true);
      }
      for (const expected of prompt.expect_tools_all ?? []) expect(tools.some((t) => t.includes(expected)), prompt.id).toBe(true);
      for (const [tool, args] of Object.entries(prompt.tool_args_schema ?? {})) {
        const calls = steps.filter((s) => s.tool === tool);
        expect(calls.length, prompt.id).toBeGreaterThan(0);
        for (const call of calls) {
          for (const [arg, pattern] of Object.entries(args)) expect(String(call.args[arg]), `${prompt.id} ${arg}`).toMatch(new RegExp(pattern));
        }
      }
      if (prompt.inject_tool_failure) {
        const retried = tools.filter((t) => t === prompt.inject_tool_failure!.tool).length;
        expect(retried, prompt.id).toBeGreaterThan(prompt.inject_tool_failure.times);
      }
    }
  });

  it('names only paths that exist in the scratch tree', () => {
    for (const { steps } of Object.values(solutions.prompts)) {
      for (const { tool, args } of steps) {
        if (typeof args.path !== 'string') continue;
        expect(existsSync(scratch(args.path)), `${tool} ${args.path}`).toBe(true);
        if (tool === 'list_files') expect(statSync(scratch(args.path)).isDirectory()).toBe(true);
      }
    }
  });
});
