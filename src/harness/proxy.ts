// The recording proxy (DESIGN §13): an HTTP server on a unix socket in the trial's folder, bound
// into the harness's sandbox (where a forwarder shows it at 127.0.0.1:<port>). It forwards every
// request to the lane through laneFetch, streams the answer back as it comes, and keeps a record
// of each exchange. The harness's own credentials are dropped; the lane's key is added here, so an
// agent CLI never holds it. Bounded: requests in flight, requests per trial, body and record sizes.
import { chmod } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createLaneFetch } from '../agent/laneFetch.js';
import { readExchange, type Exchange } from './exchange.js';
import type { HarnessApi } from './spec.js';

export interface ProxyLimits {
  inFlight: number;
  requests: number;
  requestBytes: number;
  /** Response bytes kept per exchange for the record (the harness always gets all of them). */
  recordBytes: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = { inFlight: 8, requests: 1000, requestBytes: 16 * 1024 ** 2, recordBytes: 4 * 1024 ** 2 };

export interface ProxyOptions {
  socketPath: string;
  lane: { baseURL: string; apiKey?: string };
  api: HarnessApi;
  limits?: Partial<ProxyLimits>;
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
}

export interface RecordingProxy {
  readonly exchanges: Exchange[];
  readonly stats: ProxyStats;
  close(): Promise<void>;
}

/** The lane's origin: requests keep their own path (/v1/chat/completions, /v1/messages, /v1/models). */
const originOf = (baseURL: string) => baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
const PASSED_HEADERS = ['content-type', 'accept', 'anthropic-version', 'anthropic-beta'];

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

/** The request body, or null when it is over the bound. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

export async function startProxy(opts: ProxyOptions): Promise<RecordingProxy> {
  const limits = { ...DEFAULT_PROXY_LIMITS, ...opts.limits };
  const origin = originOf(opts.lane.baseURL);
  const fetchLane = createLaneFetch();
  const exchanges: Exchange[] = [];
  const stats: ProxyStats = { requests: 0, refused: 0, peakInFlight: 0, upstreamErrors: 0, lastUpstreamError: null };
  const closing = new AbortController();
  const sockets = new Set<Socket>();
  let inFlight = 0;

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, limits.requestBytes);
    if (body === null) return refuse(res, 413, `request over ${limits.requestBytes} bytes`);
    const index = stats.requests++;
    const url = new URL(req.url ?? '/', 'http://lane');
    const path = url.pathname + url.search;
    const t0 = performance.now();
    let firstByteMs: number | null = null;
    const kept: Buffer[] = [];
    let keptBytes = 0;
    // the lane's work stops when the harness hangs up or the trial ends
    const abort = AbortSignal.any([closing.signal, abortOnClose(res)]);
    let upstream: Response;
    try {
      const method = req.method ?? 'GET';
      upstream = await fetchLane(origin + path, { method, headers: laneHeaders(req, opts), signal: abort, ...(method !== 'GET' && method !== 'HEAD' && { body: new Uint8Array(body) }) });
    } catch (err) {
      stats.upstreamErrors++;
      stats.lastUpstreamError = (err as Error).message;
      return refuse(res, 502, `the lane could not be reached: ${(err as Error).message}`);
    }
    const contentType = upstream.headers.get('content-type') ?? '';
    res.writeHead(upstream.status, { 'content-type': contentType || 'application/json' });
    try {
      for await (const chunk of upstream.body ?? []) {
        const buf = Buffer.from(chunk as Uint8Array);
        firstByteMs ??= performance.now() - t0;
        if (keptBytes < limits.recordBytes) {
          kept.push(buf.subarray(0, limits.recordBytes - keptBytes));
          keptBytes += Math.min(buf.length, limits.recordBytes - keptBytes);
        }
        if (!res.write(buf)) await new Promise((resume) => res.once('drain', resume));
      }
    } catch (err) {
      stats.upstreamErrors++;
      stats.lastUpstreamError = `the lane broke off: ${(err as Error).message}`;
    }
    res.end();
    const requestBody = body.toString('utf8');
    const responseBody = Buffer.concat(kept).toString('utf8');
    const timings = { firstByteMs, totalMs: performance.now() - t0 };
    if (path.endsWith('/completions') || path.endsWith('/messages')) {
      exchanges.push(readExchange({ index, api: opts.api, path, requestBody, status: upstream.status, contentType, responseBody, timings }));
    }
  }

  const server = createServer((req, res) => {
    if (inFlight >= limits.inFlight || stats.requests >= limits.requests) {
      stats.refused++;
      req.resume();
      return refuse(res, 429, `proxy bound: ${limits.inFlight} requests in flight, ${limits.requests} per trial`);
    }
    inFlight++;
    stats.peakInFlight = Math.max(stats.peakInFlight, inFlight);
    forward(req, res)
      .catch(() => res.destroy())
      .finally(() => inFlight--);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, resolve);
  });
  await chmod(opts.socketPath, 0o666); // the sandbox's own uid connects to it

  let closed: Promise<void> | undefined;
  return {
    exchanges,
    stats,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
