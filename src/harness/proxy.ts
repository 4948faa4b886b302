// The recording proxy (DESIGN §13): an HTTP server on a unix socket in the trial's folder, bound
// into the harness's sandbox (where a forwarder shows it at 127.0.0.1:<port>). It forwards every
// request to the lane through laneFetch, streams the answer back as it comes, and records each
// exchange. The harness's own credentials are dropped; the lane's key is added here, so an agent
// CLI never holds it. Bounded: requests in flight, requests per trial, body and record sizes, and
// what a trial holds in memory — no body is ever held whole: a request streams through to the lane
// a chunk at a time, spooled to a private file as it passes (./spool.ts, for the stale-connection
// retry and for reading back its tools list), and both bodies go to the exchange log as they pass
// (./trajectory.ts); the record keeps counts, sums, one small line per exchange and the last few.
import { createHash, type Hash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createLaneFetch } from '../agent/laneFetch.js';
import { readableTools, readExchangeFrom, summaryOf, ValueScanner, type RequestSummary } from './exchange.js';
import type { HarnessApi } from './spec.js';
import { SpooledBody, type BodyError } from './spool.js';
import { closeAgents, laneAgents, laneRequest, type LaneAgents, type LaneInit } from './upstream.js';
import { ExchangeLog, NEWEST_REQUEST_BYTES, TrajectoryRecord } from './trajectory.js';

export interface ProxyLimits {
  inFlight: number;
  requests: number;
  requestBytes: number;
  /** Response bytes kept per exchange for the record and the log (the harness always gets all of them). */
  recordBytes: number;
  /** Body bytes the exchange log may hold per trial; past it only sizes and hashes are written. */
  logBytes: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = {
  inFlight: 8,
  requests: 1000,
  requestBytes: 16 * 1024 ** 2,
  recordBytes: 4 * 1024 ** 2,
  logBytes: 256 * 1024 ** 2,
};

/** Live figures of the reply being streamed, like the builtin loop's attempt.progress. */
export interface ProxyProgress {
  /** Completion tokens of the trial so far: finished replies' counts plus the stream's events so far. */
  completionTokens: number;
  /** Decode rate of the reply being streamed (events after the first over seconds since it); null at first. */
  tokPerSec: number | null;
}

export interface ProxyOptions {
  socketPath: string;
  lane: { baseURL: string; apiKey?: string };
  api: HarnessApi;
  limits?: Partial<ProxyLimits>;
  /** The exchange log (JSON lines, see ./trajectory.ts); without one, bodies are only counted. */
  logPath?: string;
  /**
   * A private folder for request bodies while they pass (each file is unlinked as soon as it is
   * opened); without one, a fresh folder under the system's temp folder, removed at close.
   */
  spoolDir?: string;
  /**
   * Called while a reply streams (at most every PROGRESS_INTERVAL_MS) and once when it ends, so
   * the runner can feed the engine's one decode-rate meter as it does from the builtin loop.
   */
  onProgress?: (p: ProxyProgress) => void;
  /** A number from the lane that was not believed (usage that is not a count), said once per exchange. */
  onWarning?: (message: string) => void;
}

export interface ProxyStats {
  requests: number;
  /** Refused for a bound (429 too many, 413 too large). */
  refused: number;
  /** The most requests that were forwarded at once (never above the in-flight bound). */
  peakInFlight: number;
  /** The lane could not be reached or broke off. */
  upstreamErrors: number;
  /** Requests sent again (from their spool file) because the lane had already closed the connection. */
  retries: number;
  lastUpstreamError: string | null;
  /** Request and response bytes that passed (the harness got all of them). */
  bytesIn: number;
  bytesOut: number;
  /** Requests forwarded that are not model turns (HEAD /, /v1/models, count_tokens, an unknown path): never read, always counted. */
  unrecorded: number;
  /** Those requests by `METHOD /pathname` (the first MAX_UNRECORDED_PATHS distinct ones; the rest under OTHER_PATHS). */
  unrecordedPaths: Record<string, number>;
}

export interface RecordingProxy {
  /** What the trial keeps of its exchanges: bounded however many there are. */
  readonly record: TrajectoryRecord;
  readonly stats: ProxyStats;
  /** The exchange log's path, or null; `logError` says why it stopped, if it did. */
  readonly logPath: string | null;
  readonly logError: string | null;
  close(): Promise<void>;
}

export const PROGRESS_INTERVAL_MS = 250;

/** The lane's origin: requests keep their own path (/v1/chat/completions, /v1/messages, /v1/models). */
const originOf = (baseURL: string) => baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
const PASSED_HEADERS = ['content-type', 'accept', 'anthropic-version', 'anthropic-beta'];
/** A model turn, by pathname: Claude Code posts /v1/messages?beta=true; /v1/messages/count_tokens is not one; codex posts /v1/responses. */
const isTurnPath = (pathname: string) => /\/(completions|messages|responses)\/?$/.test(pathname);
const MAX_UNRECORDED_PATHS = 32;
const PATH_CHARS = 200;
export const OTHER_PATHS = '(other paths)';

/** Counts a request that is not a model turn, by method and pathname (bounded). */
function countUnrecorded(stats: ProxyStats, method: string, pathname: string): void {
  stats.unrecorded++;
  const key = `${method} ${pathname}`.slice(0, PATH_CHARS);
  const paths = stats.unrecordedPaths;
  const at = key in paths || Object.keys(paths).length < MAX_UNRECORDED_PATHS ? key : OTHER_PATHS;
  paths[at] = (paths[at] ?? 0) + 1;
}

interface ProxyState {
  opts: ProxyOptions;
  limits: ProxyLimits;
  origin: string;
  spoolDir: string;
  agents: LaneAgents;
  stats: ProxyStats;
  record: TrajectoryRecord;
  log: ExchangeLog | null;
  closing: AbortController;
  inFlight: number;
  /** Completion tokens of finished replies, for progress. */
  completionTokens: number;
  /** Requests being forwarded: close waits for them, so the last exchange is recorded before the log ends. */
  pending: Set<Promise<void>>;
}

/** One exchange on its way through. */
interface Passing {
  index: number;
  path: string;
  turn: boolean;
  t0: number;
  method: string;
  /** Filled in once the request has all come. */
  request: RequestSummary;
  /** The request body when it is small enough for the record to keep (if this is the newest exchange). */
  body: Buffer | null;
}

function laneHeaders(req: IncomingMessage, opts: ProxyOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  if (opts.lane.apiKey) {
    headers.authorization = `Bearer ${opts.lane.apiKey}`;
    if (opts.api === 'anthropic') headers['x-api-key'] = opts.lane.apiKey;
  }
  return headers;
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type: 'brainbench_proxy' } }));
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

/** The exchange as it starts: its number, path and whether it is a model turn. */
function openPassing(state: ProxyState, req: IncomingMessage): Passing {
  const url = new URL(req.url ?? '/', 'http://lane');
  const turn = isTurnPath(url.pathname);
  const path = url.pathname + url.search;
  const method = req.method ?? 'GET';
  if (!turn) countUnrecorded(state.stats, method, url.pathname);
  return { index: state.stats.requests++, path, turn, t0: performance.now(), method, request: summaryOf(null, 0), body: null };
}

/** A request body on its way: spooled, scanned for its tools list, and logged a chunk at a time (a turn's). */
interface Incoming {
  body: SpooledBody;
  scanner: ValueScanner;
  /** Body bytes written to the exchange log. */
  logged: () => number;
}

/**
 * Starts the request's body: its log line first (a turn's), then a spool whose sink scans and logs
 * each chunk as it passes. The body goes to the log whole only while it fits the log's budget
 * (judged first by its declared length, then by each chunk); past it, only its size and hash.
 */
async function openIncoming(state: ProxyState, req: IncomingMessage, p: Passing, declared: number): Promise<Incoming> {
  const log = p.turn ? state.log : null;
  const scanner = new ValueScanner('tools');
  const decoder = new StringDecoder('utf8');
  let logged = 0;
  let logging = log?.fits(Number.isSafeInteger(declared) ? declared : 0) ?? false;
  await log?.line(JSON.stringify({ type: 'request', exchange: p.index, method: p.method, path: p.path }));
  const sink = async (chunk: Buffer) => {
    state.stats.bytesIn += chunk.length;
    if (p.turn) scanner.feed(chunk);
    if (!log || !logging) return;
    logging = log.fits(chunk.length);
    if (!logging) return;
    logged += chunk.length;
    await log.line(`{"type":"request_chunk","exchange":${p.index},"text":`, JSON.stringify(decoder.write(chunk)), '}');
  };
  const body = await SpooledBody.open(join(state.spoolDir, `${p.index}.body`), req as AsyncIterable<Buffer>, state.limits.requestBytes, sink);
  return { body, scanner, logged: () => logged };
}

/**
 * Once the request has all come: its end line in the log (size, hash, what of it was logged) and
 * its summary — the tools list and, when small enough for the record, the body, read back from the
 * spool file (bounded reads; the rest is never read again).
 */
async function closeIncoming(state: ProxyState, p: Passing, incoming: Incoming): Promise<void> {
  const { body, scanner } = incoming;
  if (!p.turn) return;
  const range = scanner.range;
  const tools = range && readableTools(range.end - range.start) ? await body.read(range.start, range.end) : null;
  p.request = summaryOf(tools, body.bytes);
  p.body = body.bytes <= NEWEST_REQUEST_BYTES ? await body.read(0, body.bytes) : null;
  const logged = incoming.logged();
  const omitted = logged < body.bytes && { body_omitted: 'over the exchange log budget' };
  await state.log?.line(JSON.stringify({ type: 'request_end', exchange: p.index, bytes: body.bytes, sha256: body.sha256(), logged, ...omitted }));
}

/**
 * Sends the request to the lane (./upstream.ts) through laneFetch: the first try streams the body as
 * it arrives; a try that failed on a connection the lane had already closed is sent again from the
 * spool file, once the body has all come. A declared length is passed on (the lane need not take a
 * chunked body).
 */
async function sendToLane(state: ProxyState, url: string, init: LaneInit, incoming: Incoming | null, declared: number): Promise<Response> {
  let tries = 0;
  const headers = incoming && Number.isSafeInteger(declared) ? { ...init.headers, 'content-length': String(declared) } : init.headers;
  const fetchLane = createLaneFetch(async (input) => {
    if (!incoming) return laneRequest(state.agents, String(input), init, null);
    const body = tries++ === 0 ? incoming.body.live() : (await incoming.body.finish(), incoming.body.replay());
    return laneRequest(state.agents, String(input), { ...init, headers }, body);
  });
  try {
    return await fetchLane(url, { method: init.method, signal: init.signal });
  } finally {
    state.stats.retries += fetchLane.stats.retries;
  }
}

/** The lane could not be reached, or the harness's body failed (413 over the bound; a harness that broke off gets nothing). */
function laneFailed(state: ProxyState, req: IncomingMessage, res: ServerResponse, err: unknown, failed: BodyError | null): void {
  if (failed && !failed.tooLarge) throw failed;
  if (failed) {
    req.resume();
    return refuse(res, 413, failed.message);
  }
  state.stats.upstreamErrors++;
  state.stats.lastUpstreamError = (err as Error).message;
  refuse(res, 502, `the lane could not be reached: ${(err as Error).message}`);
}

/** Counts SSE events in a chunk (≈ one token each for llama.cpp and vLLM) for the live rate. */
function countEvents(buf: Buffer): number {
  let n = 0;
  for (let at = buf.indexOf('data:'); at >= 0; at = buf.indexOf('data:', at + 5)) n++;
  return n;
}

/** The live decode rate of one streamed reply, reported at most every PROGRESS_INTERVAL_MS. */
function progressMeter(state: ProxyState, stream: boolean): (buf: Buffer) => void {
  const onProgress = state.opts.onProgress;
  if (!onProgress || !stream) return () => undefined;
  let events = 0;
  let firstAt: number | null = null;
  let lastAt = 0;
  return (buf) => {
    events += countEvents(buf);
    const now = performance.now();
    firstAt ??= now;
    if (now - lastAt < PROGRESS_INTERVAL_MS) return;
    lastAt = now;
    const seconds = (now - firstAt) / 1000;
    onProgress({ completionTokens: state.completionTokens + events, tokPerSec: seconds > 0 && events > 1 ? (events - 1) / seconds : null });
  };
}

interface Relayed {
  kept: Buffer[];
  firstByteMs: number | null;
  bytes: number;
  hash: Hash;
}

/** Streams the lane's answer to the harness, keeping up to recordBytes for the record and the log. */
async function relayResponse(state: ProxyState, p: Passing, upstream: Response, res: ServerResponse): Promise<Relayed> {
  const out: Relayed = { kept: [], firstByteMs: null, bytes: 0, hash: createHash('sha256') };
  const logged = p.turn ? state.log : null;
  const decoder = new StringDecoder('utf8');
  const meter = progressMeter(state, p.turn && /event-stream/.test(upstream.headers.get('content-type') ?? ''));
  let keptBytes = 0;
  try {
    for await (const chunk of upstream.body ?? []) {
      const view = chunk as Uint8Array;
      const buf = Buffer.from(view.buffer, view.byteOffset, view.byteLength); // a view: no copy

      out.firstByteMs ??= performance.now() - p.t0;
      out.bytes += buf.length;
      out.hash.update(buf);
      state.stats.bytesOut += buf.length;
      const kept = p.turn ? buf.subarray(0, Math.max(0, state.limits.recordBytes - keptBytes)) : buf.subarray(0, 0);
      if (kept.length > 0) {
        out.kept.push(kept);
        keptBytes += kept.length;
        if (logged?.fits(kept.length)) await logged.line(`{"type":"response","exchange":${p.index},"chunk":`, JSON.stringify(decoder.write(kept)), '}');
      }
      meter(buf);
      // a harness that hung up never drains: its close ends the wait too
      if (!res.write(buf) && !res.destroyed) await new Promise((resume) => res.once('drain', resume).once('close', resume));
    }
  } catch (err) {
    state.stats.upstreamErrors++;
    state.stats.lastUpstreamError = `the lane broke off: ${(err as Error).message}`;
  }
  return out;
}

/** Folds the finished exchange into the record, and logs its end, its warnings and its turn line. */
async function finishExchange(state: ProxyState, p: Passing, upstream: Response, relayed: Relayed): Promise<void> {
  const contentType = upstream.headers.get('content-type') ?? '';
  const timings = { firstByteMs: relayed.firstByteMs, totalMs: performance.now() - p.t0 };
  const responseBody = Buffer.concat(relayed.kept).toString('utf8');
  relayed.kept = [];
  const exchange = readExchangeFrom(p.request, { index: p.index, api: state.opts.api, path: p.path, status: upstream.status, contentType, responseBody, timings });
  const line = state.record.add(exchange, p.body ?? undefined);
  p.body = null;
  state.completionTokens += exchange.usage.completion_tokens;
  if (exchange.stream) state.opts.onProgress?.({ completionTokens: state.completionTokens, tokPerSec: exchange.decode_tok_s });
  for (const warning of exchange.warnings ?? []) state.opts.onWarning?.(`exchange ${p.index} (${p.path}): ${warning}`);
  const log = state.log;
  if (!log) return;
  await log.line(JSON.stringify({ type: 'end', exchange: p.index, status: upstream.status, bytes: relayed.bytes, sha256: relayed.hash.digest('hex'), kept: Buffer.byteLength(responseBody) }));
  for (const warning of exchange.warnings ?? []) await log.line(JSON.stringify({ type: 'warning', exchange: p.index, message: warning }));
  await log.line(JSON.stringify({ type: 'turn', exchange: p.index, ...line }));
}

/** One request: stream it to the lane (and the spool and the log) → stream the answer back → record the exchange. */
async function forward(state: ProxyState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > state.limits.requestBytes) {
    req.resume();
    return refuse(res, 413, `request over ${state.limits.requestBytes} bytes`);
  }
  const passing = openPassing(state, req);
  const incoming = passing.method === 'GET' || passing.method === 'HEAD' ? null : await openIncoming(state, req, passing, declared);
  try {
    await exchange(state, req, res, passing, incoming, declared);
  } finally {
    await incoming?.body.close();
  }
}

async function exchange(state: ProxyState, req: IncomingMessage, res: ServerResponse, passing: Passing, incoming: Incoming | null, declared: number): Promise<void> {
  // the lane's work stops when the harness hangs up or the trial ends
  const signal = AbortSignal.any([state.closing.signal, abortOnClose(res)]);
  let upstream: Response;
  try {
    upstream = await sendToLane(state, state.origin + passing.path, { method: passing.method, headers: laneHeaders(req, state.opts), signal }, incoming, declared);
  } catch (err) {
    return laneFailed(state, req, res, err, incoming?.body.failed ?? null);
  }
  try {
    // the rest of a body the lane answered before reading whole
    await incoming?.body.finish();
  } catch (err) {
    await upstream.body?.cancel().catch(() => undefined);
    return laneFailed(state, req, res, err, incoming?.body.failed ?? null);
  }
  if (incoming) await closeIncoming(state, passing, incoming);
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') || 'application/json' });
  const relayed = await relayResponse(state, passing, upstream, res);
  res.end();
  if (passing.turn) await finishExchange(state, passing, upstream, relayed);
  else await state.log?.line(JSON.stringify({ type: 'unrecorded', exchange: passing.index, method: passing.method, path: passing.path, status: upstream.status, bytes: relayed.bytes }));
}

/** The server: refuses past the bounds (429), forwards the rest. */
function proxyServer(state: ProxyState): Server {
  const { limits, stats } = state;
  return createServer((req, res) => {
    if (state.inFlight >= limits.inFlight || stats.requests >= limits.requests) {
      stats.refused++;
      req.resume();
      return refuse(res, 429, `proxy bound: ${limits.inFlight} requests in flight, ${limits.requests} per trial`);
    }
    state.inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, state.inFlight);
    // a request stops counting once its answer has gone: the harness may send the next one while
    // this one's last log lines and its spool file are still being closed
    let counted = true;
    const uncount = () => {
      if (counted) state.inFlight--;
      counted = false;
    };
    res.once('close', uncount);
    const done: Promise<void> = forward(state, req, res)
      .catch(() => void res.destroy())
      .finally(() => {
        uncount();
        state.pending.delete(done);
      });
    state.pending.add(done);
  });
}

async function listen(server: Server, socketPath: string): Promise<Set<Socket>> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  await chmod(socketPath, 0o666); // the sandbox's own uid connects to it
  return sockets;
}

/** The folder request bodies are spooled to: the caller's, or a fresh private one (removed at close). */
async function spoolFolder(opts: ProxyOptions): Promise<string> {
  if (!opts.spoolDir) return mkdtemp(join(tmpdir(), 'bb-proxy-spool-'));
  await mkdir(opts.spoolDir, { recursive: true, mode: 0o700 });
  return opts.spoolDir;
}

export async function startProxy(opts: ProxyOptions): Promise<RecordingProxy> {
  const limits = { ...DEFAULT_PROXY_LIMITS, ...opts.limits };
  const state: ProxyState = {
    opts, limits, origin: originOf(opts.lane.baseURL), spoolDir: await spoolFolder(opts), agents: laneAgents(), record: new TrajectoryRecord(),
    stats: { requests: 0, refused: 0, peakInFlight: 0, upstreamErrors: 0, retries: 0, lastUpstreamError: null, bytesIn: 0, bytesOut: 0, unrecorded: 0, unrecordedPaths: {} },
    log: opts.logPath ? await ExchangeLog.open(opts.logPath, limits.logBytes) : null,
    closing: new AbortController(), inFlight: 0, completionTokens: 0, pending: new Set(),
  };
  const server = proxyServer(state);
  const release = async () => {
    closeAgents(state.agents);
    await state.log?.close();
    if (!opts.spoolDir) await rm(state.spoolDir, { recursive: true, force: true });
  };
  const sockets = await listen(server, opts.socketPath).catch(async (err: unknown) => {
    await release();
    throw err;
  });
  let closed: Promise<void> | undefined;
  return {
    record: state.record,
    stats: state.stats,
    logPath: opts.logPath ?? null,
    get logError() {
      return state.log?.error ?? null;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        state.closing.abort();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })
        .then(() => Promise.allSettled([...state.pending]))
        .then(release);
      return closed;
    },
  };
}
