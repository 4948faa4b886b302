// The recording proxy under a flood (issue 19): N requests of M MB each through the proxy to a stub
// lane on loopback (a child process, so its memory is not counted), with the exchange log on.
// Prints brainbench's RSS before, at its peak and after, and the growth. Target: growth < 100 MB.
// Prints figures; asserts nothing. RSS is split into anonymous memory (heap, malloc) and mapped
// files; the heap and array-buffer figures are what the process still holds (the client's one
// request buffer among them). The proxy never holds a body whole: requests stream through to the
// lane and a spool file, so growth stays flat however many requests pass.
// Run: npx tsx bench/proxy-flood.ts [--requests 1000] [--mb 16] [--concurrency 1] [--no-log]
// (node --expose-gc --import tsx bench/proxy-flood.ts for steadier before/after figures)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { postOverSocket } from '../test/helpers/socketPost.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PROXY_LIMITS, startProxy } from '../src/harness/proxy.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '1000' }, mb: { type: 'string', default: '16' }, concurrency: { type: 'string', default: '1' }, 'no-log': { type: 'boolean', default: false } } });
const REQUESTS = Number(values.requests);
const MB = Number(values.mb);
const CONCURRENCY = Math.min(Number(values.concurrency), DEFAULT_PROXY_LIMITS.inFlight);
const TARGET_MB = 100;

/** The stub lane: drains each request and answers a short SSE stream with usage. */
const STUB = `
const http = require('node:http');
const sse = (e) => 'data: ' + JSON.stringify(e) + '\\n\\n';
const reply = sse({ choices: [{ index: 0, delta: { content: 'ok' } }] }) + sse({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 4000000, completion_tokens: 2 } }) + 'data: [DONE]\\n\\n';
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(reply));
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startStub(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', STUB], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the stub lane exited (${code})`)));
  });
  return { child, port };
}

const HEAD = '{"stream":true,"messages":[{"role":"user","content":"';

/** A JSON chat request of about `mb` MB; its first characters change per request. */
function requestBody(mb: number): Buffer {
  const head = Buffer.from(HEAD);
  const tail = Buffer.from('"}]}');
  const body = Buffer.alloc(Math.floor(mb * 1024 ** 2), 'x');
  head.copy(body, 0);
  tail.copy(body, body.length - tail.length);
  return body;
}

const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);

/** RSS split as Linux counts it (anonymous memory is the heap's and malloc's; file and shmem are mapped files). */
async function rssParts(): Promise<string> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return `anon ${mib(kb('RssAnon'))} MB, file ${mib(kb('RssFile'))} MB, shmem ${mib(kb('RssShmem'))} MB`;
}
const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage twice around a pause (ArrayBuffer memory is freed after the collection that finds it). */
async function settle(): Promise<void> {
  gc?.();
  await new Promise((r) => setTimeout(r, 200));
  gc?.();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-proxy-flood-'));
  const stub = await startStub();
  const body = requestBody(MB); // one buffer for every request: the client's memory is not the proxy's
  const logPath = join(dir, 't.exchanges.jsonl');
  const proxy = await startProxy({ socketPath: join(dir, 'lane.sock'), lane: { baseURL: `http://127.0.0.1:${stub.port}/v1` }, api: 'openai', ...(!values['no-log'] && { logPath }), limits: { requests: REQUESTS } });
  try {
    await settle();
    const before = process.memoryUsage().rss;
    const partsBefore = await rssParts();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = performance.now();
    let next = 0;
    const statuses = new Map<number, number>();
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        body.write(String(i).padStart(8, '0'), HEAD.length); // inside the content string
        const status = await postOverSocket(join(dir, 'lane.sock'), body);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if ((i + 1) % 100 === 0) console.log(`  ${i + 1}/${REQUESTS} requests, rss ${mib(process.memoryUsage().rss)} MB`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const seconds = (performance.now() - started) / 1000;
    await proxy.close();
    await settle();
    const after = process.memoryUsage().rss;
    const heap = process.memoryUsage();
    const logSize = values['no-log'] ? 0 : (await stat(logPath)).size;
    console.log(`proxy flood: ${REQUESTS} requests of ${MB} MB, concurrency ${CONCURRENCY}, ${seconds.toFixed(1)} s (${((REQUESTS * MB) / seconds).toFixed(0)} MB/s)`);
    console.log(`  statuses ${JSON.stringify(Object.fromEntries(statuses))}; turns recorded ${proxy.record.turns.length}; record holds ~${mib(proxy.record.heldBytes())} MB of bodies`);
    console.log(`  exchange log ${mib(logSize)} MB (body budget ${mib(DEFAULT_PROXY_LIMITS.logBytes)} MB)${proxy.logError ? `; ${proxy.logError}` : ''}`);
    console.log(`  rss before ${mib(before)} MB (${partsBefore}), peak ${mib(peak)} MB, after ${mib(after)} MB (${await rssParts()})`);
    console.log(`  after: heap used ${mib(heap.heapUsed)} of ${mib(heap.heapTotal)} MB, array buffers ${mib(heap.arrayBuffers)} MB`);
    console.log(`  growth: peak ${mib(peak - before)} MB, after ${mib(after - before)} MB (target < ${TARGET_MB} MB)${gc ? '' : ' [run with node --expose-gc for steadier figures]'}`);
  } finally {
    await proxy.close();
    stub.child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
