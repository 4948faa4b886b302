import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { solutions } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

const wrapper = resolve(import.meta.dirname, '../bin/fake-llama-server');
const solutionsFile = join(tempDir('fake-lane-'), 'solutions.json');
writeFileSync(solutionsFile, JSON.stringify(solutions));

interface Server {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts the wrapper from another cwd, as a lane manager would, and waits for its port. */
async function spawnServer(extra: string[]): Promise<Server> {
  const child = spawn(wrapper, ['-m', '/models/qwen.gguf', '--port', '0', '--solutions', solutionsFile, ...extra], {
    cwd: tmpdir(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = await new Promise<string>((found, fail) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /server is listening on (http:\/\/\S+)/.exec(log);
      if (match) found(match[1]!);
    });
    void exited.then((code) => fail(new Error(`exited ${code} before listening:\n${log}`)));
  });
  return { child, url, stderr: () => log, exited };
}

function chat(url: string, stream: boolean) {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ stream, messages: [{ role: 'user', content: solutions.prompts.honesty!.match }], tools: [] }),
  });
}

describe('fake-llama-server as a child process', () => {
  it('answers 503 while loading, then 200, and exits 0 at once on SIGTERM when idle', async () => {
    const server = await spawnServer(['--load-delay-ms', '500', '--alias', 'lane-x']);
    const loading = await fetch(`${server.url}/health`);
    expect(loading.status).toBe(503);
    await sleep(600);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const models = JSON.parse(await (await fetch(`${server.url}/v1/models`)).text());
    expect(models.data[0].id).toBe('lane-x');
    const answered = JSON.parse(await (await chat(server.url, false)).text());
    expect(answered.choices[0].message.content).toBe(solutions.prompts.honesty!.answer);
    await expect.poll(server.stderr).toMatch(/srv {2}log_server_r: request: POST \/v1\/chat\/completions \S+ 200/);

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(1000);
  });

  it('ignores the first SIGTERM while a non-streaming request is in flight; the second exits with 1', async () => {
    const server = await spawnServer(['--load-delay-ms', '0', '--tok-per-sec', '4']);
    const pending = chat(server.url, false).catch((err: Error) => err);
    await sleep(400);
    server.child.kill('SIGTERM');
    await sleep(400);
    expect(server.child.exitCode).toBeNull();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('cuts a stream in flight on SIGTERM (no [DONE]) and exits about a second later', async () => {
    const server = await spawnServer(['--load-delay-ms', '0', '--tok-per-sec', '4']);
    const res = await chat(server.url, true);
    const body = res.text().catch(() => 'cut');
    await sleep(300);
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const text = await body;
    expect(text).not.toContain('[DONE]');
    expect(await server.exited).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(2500);
  });

  it('crasher exits the process mid-stream on the 4th request', async () => {
    const server = await spawnServer(['-m', '/models/crasher.gguf', '--load-delay-ms', '0', '--tok-per-sec', '0']);
    for (let i = 0; i < 3; i++) expect(await (await chat(server.url, true)).text()).toContain('[DONE]');
    const fourth = await chat(server.url, true)
      .then((res) => res.text())
      .catch(() => 'cut');
    expect(fourth).not.toContain('[DONE]');
    expect(await server.exited).toBe(1);
  });
});
