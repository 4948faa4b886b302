// lanes.yaml errors read like a compiler's (issue 12, "Messages"): the right line and column, the
// source line and a caret under the column, each problem once, and no secret in the shown line.
import { describe, expect, it } from 'vitest';
import { loadManifest, ManifestError } from '../../src/lanes/manifest.js';
import { spawnCli } from '../helpers/cli.js';
import { tempDir, writeManifest } from './helpers.js';

async function refusal(text: string, env: NodeJS.ProcessEnv = {}): Promise<ManifestError> {
  const err = await loadManifest(writeManifest(text), env).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ManifestError);
  return err as ManifestError;
}

/** The caret line's `^` sits under column `col` of the source line above it. */
function caretColumn(message: string, line: number): number {
  const lines = message.split('\n');
  const source = lines.findIndex((l) => l.startsWith(`  ${line} | `));
  expect(source).toBeGreaterThan(-1);
  const caret = lines[source + 1]!;
  return caret.indexOf('^') - `  ${line} | `.length + 1;
}

const lanesWith = (portLine: string) =>
  ['version: 1', '# lanes', '', 'defaults:', '  host: 127.0.0.1', '', 'lanes:', '  - id: a', '    kind: llamacpp', '    model: m.gguf', '', portLine, '    ctx: 4096', ''].join('\n');

describe('YAML syntax errors', () => {
  it('point at the line and column of the mistake, with the source line and a caret', async () => {
    const e = await refusal(lanesWith('    port: : 8080'));
    expect(e.line).toBe(12);
    const [head, source, caret] = e.message.split('\n');
    expect(head).toMatch(/lanes\.yaml:12:\d+: YAML syntax error: \S/);
    expect(head).not.toMatch(/:\s*$/); // no dangling colon
    expect(source).toBe('  12 |     port: : 8080');
    expect(caret).toMatch(/^ {5}\| +\^$/);
    expect(caretColumn(e.message, 12)).toBe(e.column);
  });

  it('an unclosed quote is reported where it opens, not at the end of the file', async () => {
    const text = ['version: 1', 'lanes:', '  - id: "a', '    kind: demo', '  - id: b', '    kind: demo', '  - id: c', '    kind: demo', '', '', ''].join('\n');
    const e = await refusal(text);
    expect([e.line, e.column]).toEqual([3, 9]);
    expect(e.message).toContain('  3 |   - id: "a');
    expect(e.message).toMatch(/quoted string is never closed/);
  });

  it('only the first error is said: the parser echoes a broken flow list several times', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: a\n    kind: demo\n    args: [a, b\n  - id: x\n    kind: demo\n');
    expect(e.problems).toHaveLength(1);
    expect([e.line, e.column]).toEqual([5, 11]);
  });
});

describe('schema errors', () => {
  it('keep file:line:column, field and what was expected, plus the source line and caret', async () => {
    const e = await refusal(lanesWith('    port: eighty'));
    expect(e.message.split('\n')[0]).toMatch(/lanes\.yaml:12:11: lanes\[0\]\.port: expected a port number/);
    expect(e.message).toContain('  12 |     port: eighty');
    expect(caretColumn(e.message, 12)).toBe(11);
  });

  it.each([
    ['a slash', 'a/b'],
    ['a traversal', '../../x'],
    ['a leading dot', '.hidden'],
    ['129 characters', 'x'.repeat(129)],
  ])('a lane id with %s is refused at its line, column and field', async (_what, id) => {
    const e = await refusal(`version: 1\nlanes:\n  - id: "${id}"\n    kind: demo\n`);
    expect([e.line, e.column, e.field]).toEqual([3, 9, 'lanes[0].id']);
    expect(e.expected).toMatch(/lane id of 1–128 letters/);
  });

  it('a value that may be a secret is masked in the shown line (same length, so the caret stays)', async () => {
    const e = await refusal('version: 1\nlanes:\n  - id: r\n    kind: openai\n    base_url: http://x/v1\n    api_key: sk-literal-SECRET : x\n');
    expect(e.line).toBe(6);
    expect(e.message).not.toContain('SECRET');
    expect(e.message).toContain(`  6 |     api_key: ${'*'.repeat('sk-literal-SECRET'.length)} : *`);
    const env = await refusal('version: 1\nlanes:\n  - id: n\n    kind: nim\n    image: i\n    port: 1\n    env:\n      KEY: [nvapi-SECRET\n');
    expect(env.message).not.toContain('SECRET');
    expect(env.message).toContain('KEY: [');
  });
});

describe('the CLI says a broken lanes.yaml once', () => {
  it.each([['lanes'], ['run', '--lane', 'a', '-n', '1']])('brainbench %s', async (...args) => {
    const dir = tempDir('bb-yaml-cli-');
    const file = writeManifest(lanesWith('    port: : 8080'), dir);
    const result = await spawnCli([...args, '--lanes-file', file, ...(args[0] === 'run' ? ['--results', `${dir}/results`] : [])], {
      env: { BRAINBENCH_STATE_DIR: `${dir}/state` },
    });
    expect(result.exitCode).not.toBe(0);
    expect(String(result.stderr).split('YAML syntax error')).toHaveLength(2);
    expect(String(result.stderr).split('  12 |     port: : 8080')).toHaveLength(2);
    expect(result.stdout).toBe('');
  });
});
