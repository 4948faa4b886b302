// The recording proxy (DESIGN §13): an HTTP server on a unix socket in the trial's folder, bound
// into the harness's sandbox (where a forwarder shows it at 127.0.0.1:<port>). It forwards every
// request to the lane through laneFetch, streams the answer back as it comes, and records each
// exchange. The harness's own credentials are dropped; the lane's key is added here, so an agent
// CLI never holds it. Bounded: requests in flight, requests per trial, body and record sizes, and
// what a trial holds in memory — bodies go to the exchange log as they pass (./trajectory.ts), the
// record keeps counts, sums, one small line per exchange and the last few exchanges.
import { createHash, type Hash } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { createLaneFetch } from '../agent/laneFetch.js';
import { readExchangeFrom, summariseRequest, type RequestSummary } from './exchange.js';
import type { HarnessApi } from './spec.js';
import { ExchangeLog, TrajectoryRecord } from './trajectory.js';

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
  lastUpstreamError: string | null;
  /** Request and response bytes that passed (the harness got all of them). */
  bytesIn: number;
  bytesOut: number;
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

/** Request bodies past this go to the lane as a stream of views on the buffer: fetch copies a whole body first. */
const STREAM_BODY_BYTES = 1024 * 1024;

async function* slices(body: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < body.length; at += STREAM_BODY_BYTES) yield body.subarray(at, at + STREAM_BODY_BYTES);
}

/**
 * The proxy's fetch: laneFetch (which sends a request again when the connection was already gone,
 * the body being a buffer), each try sending a large body as views instead of fetch's own copy.
 */
function proxyFetch(): ReturnType<typeof createLaneFetch> {
  return createLaneFetch((input, init) => {
    const body = init?.body;
    if (!(body instanceof Uint8Array) || body.length <= STREAM_BODY_BYTES) return globalThis.fetch(input, init);
    return globalThis.fetch(input, { ...init, body: slices(body) as unknown as RequestInit["body"], duplex: 'half' } as RequestInit);
  });
}

/** The lane's origin: requests keep their own path (/v1/chat/completions, /v1/messages, /v1/models). */
const originOf = (baseURL: string) => baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
const PASSED_HEADERS = ['content-type', 'accept', 'anthropic-version', 'anthropic-beta'];
/** A model turn, by pathname: Claude Code posts /v1/messages?beta=true; /v1/messages/count_tokens is not one. */
const isTurnPath = (pathname: string) => pathname.endsWith('/completions') || pathname.endsWith('/messages');

interface ProxyState {
  opts: ProxyOptions;
  limits: ProxyLimits;
  origin: string;
  fetchLane: ReturnType<typeof createLaneFetch>;
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
  request: RequestSummary;
  /** The request body, for the record to keep if this is the newest exchange. */
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

/** The request body, or null when it is over the bound; read into one buffer when its length is declared. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (declared > max) return null;
  const chunks: Buffer[] = [];
  const whole = Number.isSafeInteger(declared) && declared > 0 ? Buffer.allocUnsafe(declared) : null;
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    if (size + buf.length > max || (whole && size + buf.length > whole.length)) return null;
    if (whole) buf.copy(whole, size);
    else chunks.push(buf);
    size += buf.length;
  }
  if (whole) return whole.subarray(0, size);
  return Buffer.concat(chunks);
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const ESCAPE_SLICE = 64 * 1024;

/** The body as the pieces of one JSON string, escaped a slice at a time (never a second whole copy at once). */
function escapedPieces(body: Buffer): string[] {
  const decoder = new StringDecoder('utf8');
  const pieces: string[] = [];
  for (let at = 0; at < body.length; at += ESCAPE_SLICE) pieces.push(JSON.stringify(decoder.write(body.subarray(at, at + ESCAPE_SLICE))).slice(1, -1));
  pieces.push(JSON.stringify(decoder.end()).slice(1, -1));
  return pieces;
}

/** The request's log line: the body as a JSON string (`text`); past the budget, only its size and hash. */
async function logRequest(log: ExchangeLog, p: Passing, method: string, body: Buffer): Promise<void> {
  const head = `{"type":"request","exchange":${p.index},"method":${JSON.stringify(method)},"path":${JSON.stringify(p.path)},"bytes":${body.length},"sha256":"${sha256(body)}"`;
  if (!log.fits(body.length)) return log.line(head, ',"body_omitted":"over the exchange log budget"}');
  return log.line(head, ',"text":"', ...escapedPieces(body), '"}');
}

/** Logs and summarises the request (tool names, size); the body is not parsed into objects here. */
async function takeRequest(state: ProxyState, req: IncomingMessage, body: Buffer): Promise<Passing> {
  const url = new URL(req.url ?? '/', 'http://lane');
  const path = url.pathname + url.search;
  const turn = isTurnPath(url.pathname);
  const request = turn ? summariseRequest(body) : { messages: [], tools: [], bytes: body.length };
  const passing: Passing = { index: state.stats.requests++, path, turn, t0: performance.now(), request, body: turn ? body : null };
  state.stats.bytesIn += body.length;
  if (turn && state.log) await logRequest(state.log, passing, req.method ?? 'GET', body);
  return passing;
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
      const buf = Buffer.from(chunk as Uint8Array);
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

/** One request: read and log it → send it to the lane → stream the answer back → record the exchange. */
async function forward(state: ProxyState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, state.limits.requestBytes);
  if (body === null) return refuse(res, 413, `request over ${state.limits.requestBytes} bytes`);
  const passing = await takeRequest(state, req, body);
  // the lane's work stops when the harness hangs up or the trial ends
  const signal = AbortSignal.any([state.closing.signal, abortOnClose(res)]);
  const method = req.method ?? 'GET';
  const payload = method !== 'GET' && method !== 'HEAD' ? { body: new Uint8Array(body.buffer, body.byteOffset, body.length) } : {};
  let upstream: Response;
  try {
    upstream = await state.fetchLane(state.origin + passing.path, { method, headers: laneHeaders(req, state.opts), signal, ...payload });
  } catch (err) {
    state.stats.upstreamErrors++;
    state.stats.lastUpstreamError = (err as Error).message;
    return refuse(res, 502, `the lane could not be reached: ${(err as Error).message}`);
  }
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') || 'application/json' });
  const relayed = await relayResponse(state, passing, upstream, res);
  res.end();
  if (passing.turn) await finishExchange(state, passing, upstream, relayed);
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
    const done: Promise<void> = forward(state, req, res)
      .catch(() => void res.destroy())
      .finally(() => {
        state.inFlight--;
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

export async function startProxy(opts: ProxyOptions): Promise<RecordingProxy> {
  const limits = { ...DEFAULT_PROXY_LIMITS, ...opts.limits };
  const state: ProxyState = {
    opts, limits, origin: originOf(opts.lane.baseURL), fetchLane: proxyFetch(), record: new TrajectoryRecord(),
    stats: { requests: 0, refused: 0, peakInFlight: 0, upstreamErrors: 0, lastUpstreamError: null, bytesIn: 0, bytesOut: 0 },
    log: opts.logPath ? await ExchangeLog.open(opts.logPath, limits.logBytes) : null,
    closing: new AbortController(), inFlight: 0, completionTokens: 0, pending: new Set(),
  };
  const server = proxyServer(state);
  const sockets = await listen(server, opts.socketPath).catch(async (err: unknown) => {
    await state.log?.close();
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
        .then(() => state.log?.close());
      return closed;
    },
  };
}
