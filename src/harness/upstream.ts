// The recording proxy's way to the lane (DESIGN §13): node:http(s) with keep-alive agents, the request
// body piped in as a Node stream with backpressure. Not fetch: undici's fetch with a streamed request
// body held ~150 MB more of the process's memory with 8 requests of 16 MB in flight (bench/proxy-flood.ts).
// It answers like fetch — a Response once the headers came, so an error before then means no answer
// began — and so goes inside laneFetch's retry of a request sent onto a connection the lane had closed.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface LaneAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export const laneAgents = (): LaneAgents => ({ http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) });

export function closeAgents(agents: LaneAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/** Statuses whose Response cannot have a body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const status = res.statusCode ?? 502;
  if (NULL_BODY.has(status)) res.resume();
  const body = NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}

export interface LaneInit {
  method: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** One request to the lane with `body` (a stream, or none): the answer once its headers came; rejects with the socket's error before then. */
export function laneRequest(agents: LaneAgents, url: string, init: LaneInit, body: Readable | null): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const target = new URL(url);
    const https = target.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const req = send(target, { method: init.method, headers: init.headers, agent: https ? agents.https : agents.http, signal: init.signal }, (res) => resolve(toResponse(res)));
    req.on('error', reject);
    if (!body) return void req.end();
    // a failed body (over the bound, the harness gone) destroys the request with its error; a failed request stops the body
    pipeline(body, req).catch((err: unknown) => req.destroy(err as Error));
  });
}
