import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brainNames, type BrainName } from './brains.js';
import { jsonHeaders, serveChat, type ChatLane } from './chat.js';
import { FaultPlan, type FaultName } from './faults.js';
import { modelsBody, propsBody, slotBody, type LaneIdentity } from './info.js';
import { LaneCounters } from './metrics.js';
import { BadRequest, parseChatRequest } from './request.js';
import { SlotPool } from './slots.js';
import { loadDefaultSolutions, type Solutions } from './solutions.js';
import { seededRandom } from '../prng.js';
import { errorBody, healthyBody, loadingBody, nowSeconds } from './wire.js';
import { clampDelayMs } from '../timers.js';

// The simulated lane (DESIGN §10): an OpenAI-compatible HTTP server that answers like a real
// llama-server, played by a scripted brain.

export { brainNames, type BrainName };
export { faultNames, type FaultName } from './faults.js';

export interface FakeLaneOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  brain: BrainName;
  /** The model id (/v1/models, `model` in responses). Default "demo". */
  alias?: string;
  /** What /props reports as model_path. Default: the alias. */
  modelPath?: string;
  /** Decode rate of one slot; 0 or Infinity = no delay. Default 40. */
  tokPerSec?: number;
  /** Concurrent decoding slots (/props total_slots); more requests queue. Default 1. */
  slots?: number;
  /** Context size reported by /props, /slots and /v1/models. Default 4096. */
  ctx?: number;
  /** /health answers 503 "Loading model" (and every other endpoint too) until then. Default 0. */
  loadDelayMs?: number;
  /** Default: fixtures/brain-v1/solutions.json and fixtures/tasks-v1/demo-solutions.json. */
  solutions?: Solutions;
  /** How the crasher brain dies: destroy the socket, or exit the process (child only). Default 'socket'. */
  crash?: 'socket' | 'exit';
  faults?: FaultName[];
  /** Serve /metrics (llama-server needs --metrics, else 501). Default true. */
  metrics?: boolean;
  /** llama-server-like log lines (one per request, slot start/stop). Default: none. */
  log?: (line: string) => void;
}

export interface FakeLaneStats {
  /** Chat completion requests received. */
  requests: number;
  /** Chat completion requests not yet finished (decoding or queued). */
  inFlight: number;
  maxInFlight: number;
  /** Of those in flight, how many asked for a stream. */
  streaming: number;
  /** Faults applied so far, by name. */
  faults: Partial<Record<FaultName, number>>;
  /** Authorization headers seen (distinct), so tests can check a lane's api_key is sent. */
  authorizations: string[];
}

export interface FakeLane {
  /** http://host:port */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): FakeLaneStats;
}

const commonHeaders = { Server: 'llama.cpp', 'Access-Control-Allow-Origin': '' };
const maxBodyBytes = 64 * 1024 * 1024;

function send(res: ServerResponse, status: number, body: string, contentType = jsonHeaders['Content-Type'], extra: Record<string, string> = {}) {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** What the chat handler works with: the brain, its pace, slots, counters and faults. */
function chatLane(opts: FakeLaneOptions, identity: LaneIdentity, slots: SlotPool, log: (line: string) => void): ChatLane {
  const tokPerSec = opts.tokPerSec ?? 40;
  const faults = new FaultPlan(opts.faults ?? []);
  let taskIds = 0;
  return {
    brain: opts.brain,
    alias: identity.alias,
    solutions: opts.solutions ?? loadDefaultSolutions(),
    msPerToken: tokPerSec > 0 && Number.isFinite(tokPerSec) ? 1000 / tokPerSec : 0,
    crash: opts.crash ?? 'socket',
    slots,
    counters: new LaneCounters(),
    faults,
    splitRandom: faults.splitsChunks ? seededRandom(0x5eed) : undefined,
    log,
    nextTaskId: () => taskIds++,
  };
}

/** The GET endpoints llama-server answers (health, models, props, slots, metrics); false: not one of them. */
function answerGet(path: string, res: ServerResponse, lane: ChatLane, identity: LaneIdentity, opts: FakeLaneOptions, startedAt: number): boolean {
  const json = (body: unknown) => (send(res, 200, JSON.stringify(body)), true);
  switch (path) {
    case '/health':
    case '/v1/health':
      return (send(res, 200, healthyBody), true);
    case '/models':
    case '/v1/models':
      return json(modelsBody(identity));
    case '/props':
      return json(propsBody(identity));
    case '/slots':
      return json(lane.slots.slots.map((slot) => slotBody(slot.id, identity.nCtx, slot.task)));
    case '/metrics':
      if (opts.metrics === false) {
        send(res, 501, errorBody(501, 'This server does not support metrics endpoint. Start it with `--metrics`', 'not_supported_error'));
        return true;
      }
      send(res, 200, lane.counters.render(lane.slots.processing, lane.slots.deferred), 'text/plain; version=0.0.4', {
        'Process-Start-Time-Unix': String(Math.floor(startedAt / 1000)),
      });
      return true;
    default:
      return false;
  }
}

/** POST /v1/chat/completions: parse, count, serve. */
function chatHandler(lane: ChatLane, stats: Omit<FakeLaneStats, 'faults'>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let request;
    try {
      request = parseChatRequest(JSON.parse(await readBody(req)));
    } catch (err) {
      const message = err instanceof BadRequest || err instanceof SyntaxError ? err.message : 'cannot read request';
      return send(res, 400, errorBody(400, message, 'invalid_request_error'));
    }
    const number = ++stats.requests;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    if (request.stream) stats.streaming++;
    try {
      await serveChat(lane, number, request, res);
    } finally {
      stats.inFlight--;
      if (request.stream) stats.streaming--;
    }
  };
}

export async function startFakeLane(opts: FakeLaneOptions): Promise<FakeLane> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => {});
  const slots = new SlotPool(Math.max(1, opts.slots ?? 1));
  const identity: LaneIdentity = {
    alias: opts.alias ?? 'demo',
    modelPath: opts.modelPath ?? opts.alias ?? 'demo',
    nCtx: opts.ctx ?? 4096,
    totalSlots: slots.slots.length,
    createdAt: nowSeconds(),
  };
  const lane = chatLane(opts, identity, slots, log);
  const { faults } = lane;
  const stats: Omit<FakeLaneStats, 'faults'> = { requests: 0, inFlight: 0, maxInFlight: 0, streaming: 0, authorizations: [] };
  const startedAt = Date.now();
  const loadDelayMs = opts.loadDelayMs ?? 0;
  let loaded = loadDelayMs <= 0;
  const loadTimer = loaded
    ? undefined
    : setTimeout(() => {
        loaded = true;
        log('main: model loaded');
        log('srv  update_slots: all slots are idle');
      }, clampDelayMs(loadDelayMs));

  const chat = chatHandler(lane, stats);

  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    for (const [name, value] of Object.entries(commonHeaders)) res.setHeader(name, value);
    const path = (req.url ?? '/').split('?')[0];
    if (!loaded) return send(res, 503, loadingBody);
    if (req.method === 'GET' && answerGet(path ?? '/', res, lane, identity, opts, startedAt)) return;
    if (req.method === 'POST' && (path === '/chat/completions' || path === '/v1/chat/completions')) return chat(req, res);
    send(res, 404, errorBody(404, 'File Not Found', 'not_found_error'));
  }

  const server = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (auth && !stats.authorizations.includes(auth)) stats.authorizations.push(auth);
    // Logged when the response is done, like llama-server's log_server_r.
    res.on('finish', () => log(`srv  log_server_r: request: ${req.method} ${req.url} ${req.socket.remoteAddress ?? ''} ${res.statusCode}`));
    Promise.resolve(route(req, res)).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, errorBody(500, (err as Error).message, 'server_error'));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log(`main: server is listening on http://${host}:${port} - starting the main loop`);
  if (loaded) {
    log('main: model loaded');
    log('srv  update_slots: all slots are idle');
  }

  return {
    url: `http://${host}:${port}`,
    port,
    stats: () => ({ ...stats, faults: Object.fromEntries(faults.fired) }),
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(loadTimer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
