// Where an agent CLI is installed and what of it the sandbox is shown (src/harness/install.ts):
// the whole enclosing node_modules (hoisted dependencies, optional platform packages), never a
// folder the trial hides; and an install the sandbox's user cannot read is refused with the fix.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalHarness } from '../../src/harness/external.js';
import { resolveInstall, unreadableInstall } from '../../src/harness/install.js';
import { tempDir } from '../helpers/tmp.js';

/** An npm --prefix install: node_modules/@acme/agent/bin/agent.js, its hoisted dependency, and .bin/agent. */
function npmPrefix(): { prefix: string; env: NodeJS.ProcessEnv } {
  const prefix = tempDir('bb-npm-prefix-', '/tmp');
  chmodSync(prefix, 0o755);
  const pkg = join(prefix, 'node_modules/@acme/agent');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  mkdirSync(join(prefix, 'node_modules/undici'), { recursive: true });
  writeFileSync(join(prefix, 'node_modules/undici/index.js'), 'module.exports = {};\n');
  writeFileSync(join(pkg, 'bin/agent.js'), '#!/usr/bin/env node\nrequire("undici");\n', { mode: 0o755 });
  mkdirSync(join(prefix, 'node_modules/.bin'));
  symlinkSync('../@acme/agent/bin/agent.js', join(prefix, 'node_modules/.bin/agent'));
  return { prefix, env: { PATH: `${join(prefix, 'node_modules/.bin')}:/usr/bin:/bin` } };
}

describe('resolveInstall', () => {
  it('binds the whole enclosing node_modules read-only, so hoisted dependencies are found', () => {
    const { prefix, env } = npmPrefix();
    const install = resolveInstall('agent', [], env)!;
    expect(install.program).toBe(join(prefix, 'node_modules/@acme/agent/bin/agent.js'));
    expect(install.binds).toContainEqual({ host: join(prefix, 'node_modules'), at: join(prefix, 'node_modules'), readOnly: true });
    expect(install.binds.some((b) => b.host === join(prefix, 'node_modules/@acme/agent'))).toBe(false);
  });

  it('falls back to the package folder alone where the node_modules would show a hidden path', () => {
    const { prefix, env } = npmPrefix();
    const hidden = join(prefix, 'node_modules/undici');
    const install = resolveInstall('agent', [hidden], env)!;
    const hosts = install.binds.map((b) => b.host);
    expect(hosts).toContain(join(prefix, 'node_modules/@acme/agent'));
    expect(hosts).not.toContain(join(prefix, 'node_modules'));
  });

  it('is null for a program not on PATH', () => {
    expect(resolveInstall('no-such-agent-cli', [], { PATH: '/nonexistent' })).toBeNull();
  });
});

describe('an install the sandbox user cannot read', () => {
  it('is refused with the folder, its mode and the fix in one line', () => {
    const { prefix, env } = npmPrefix();
    const install = resolveInstall('agent', [], env)!;
    // a folder on the way that only its owner could enter, like /root (no search bit for others)
    chmodSync(prefix, 0o600);
    try {
      const why = unreadableInstall(install, 'npm install -g @acme/agent')!;
      expect(why).toContain(`cannot read ${join(prefix, 'node_modules')} (${prefix} is mode 600)`);
      expect(why).toContain('npm install -g --prefix /usr/local @acme/agent');
      expect(why).toContain(`chmod o+x ${prefix}`);
      expect(why).not.toContain('\n');
    } finally {
      chmodSync(prefix, 0o755);
    }
    expect(unreadableInstall(install, 'npm install -g @acme/agent')).toBeNull();
  });

  it.runIf(process.getuid?.() === 0)('as root (the sandbox drops to a uid of its own): a mode-700 folder is refused up front, by the preflight', () => {
    const { prefix, env } = npmPrefix();
    chmodSync(prefix, 0o700);
    try {
      const harness = externalHarness({ id: 'acme', command: ['agent', '{prompt}'], api: 'openai', env: {}, files: {}, source: 'test' }, env);
      expect(harness.preflight!()).toMatch(new RegExp(`cannot read .*\\(${prefix} is mode 700\\).*chmod o\\+x ${prefix}$`));
    } finally {
      chmodSync(prefix, 0o755);
    }
  });
});
