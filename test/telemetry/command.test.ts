import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { telemetryCommand } from '../../src/commands/telemetry.js';
import type { EngineEvent } from '../../src/types.js';
import { tempDir } from '../helpers/tmp.js';

const SHIMS = resolve('test/shims');
const savedEnv = { ...process.env };
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...savedEnv };
});

/** Runs the command in-process and returns what it wrote. */
async function runCommand(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await telemetryCommand.run(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

const SAMPLE_LINE = /^\d\d:\d\d:\d\d\.\d{3} {2}GPU {2}\d+ % {2}\d+ °C {2}\d+\.\d W {2}\d+ MHz {2}mem \d+\.\d\/\d+\.\d GB {2}cache (\d+\.\d GB|—) {2}psi (\d+\.\d\d|—)\/(\d+\.\d\d|—)$/;

describe('brainbench telemetry', () => {
  it('prints a line per sample with GPU %, temp, power, memory and pressure, then the roll-up', async () => {
    process.env.PATH = `${SHIMS}${delimiter}${process.env.PATH}`;
    const { code, stdout, stderr } = await runCommand(['--seconds', '1', '--interval', '200']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.length).toBeLessThanOrEqual(6);
    for (const line of lines) expect(line).toMatch(SAMPLE_LINE);
    expect(stderr).toMatch(new RegExp(`^${lines.length} samples · GPU mean \\d+ % max \\d+ %`));
  });

  it('says "no GPU" when nvidia-smi is absent', async () => {
    process.env.PATH = tempDir('empty-path-');
    const { code, stdout } = await runCommand(['--seconds', '1', '--interval', '250']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line).toMatch(/^\S+ {2}no GPU {2}mem \d+\.\d\/\d+\.\d GB/);
  });

  it('prints engine events as JSON with --json', async () => {
    process.env.PATH = `${SHIMS}${delimiter}${process.env.PATH}`;
    process.env.NVIDIA_SMI_SHIM_MODE = 'two-gpus';
    const { stdout } = await runCommand(['--seconds', '1', '--interval', '250', '--json']);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EngineEvent);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const event of events) {
      expect(event.type).toBe('telemetry');
      if (event.type === 'telemetry') expect(event.sample.gpus).toHaveLength(2);
    }
  });

  it('refuses bad flags with a usage error', async () => {
    await expect(telemetryCommand.run(['--second', '3'])).rejects.toThrow(/did you mean --seconds/);
    await expect(telemetryCommand.run(['--interval', '10'])).rejects.toThrow(UsageError);
    await expect(telemetryCommand.run(['--seconds', 'soon'])).rejects.toThrow(/--seconds wants a whole number/);
    await expect(telemetryCommand.run(['--metrics-url', 'localhost 8080'])).rejects.toThrow(/--metrics-url wants a URL/);
  });

  it('explains itself in --help', () => {
    for (const flag of ['--seconds', '--interval', '--metrics-url', '--json', 'Ctrl-C', 'no GPU', '/proc/meminfo']) {
      expect(telemetryCommand.help).toContain(flag);
    }
  });

  it('ends cleanly on Ctrl-C, stopping nvidia-smi and printing the roll-up', async () => {
    const entry = resolve('test/telemetry/telemetry-command-entry.ts');
    const pidFile = join(tempDir('smi-pid-'), 'pid');
    const child = spawn(process.execPath, ['--import', 'tsx', entry, '--interval', '100'], {
      env: { ...process.env, PATH: `${SHIMS}${delimiter}${process.env.PATH}`, NVIDIA_SMI_SHIM_PIDFILE: pidFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((ready) =>
      child.stdout.on('data', (chunk) => {
        stdout += String(chunk);
        if (stdout.split('\n').length > 3) ready();
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/^\d+ samples · GPU mean/m);
    // The nvidia-smi child went with it (kill -0 on a gone pid throws ESRCH).
    const smiPid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(smiPid, 0)).toThrow(/ESRCH/);
  });
});
