// Small HTTP and TCP probes for lane readiness and ports.
import { connect } from 'node:net';
import { clampDelayMs } from '../timers.js';

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** GET `url`; resolves with the status and the body (JSON when it parses) or null when nothing answered. */
export async function httpGet(url: string, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<HttpAnswer | null> {
  try {
    const res = await fetch(url, { headers: opts.headers, signal: AbortSignal.timeout(clampDelayMs(opts.timeoutMs ?? 2000)) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON; keep the text
    }
    return { status: res.status, body };
  } catch {
    return null;
  }
}

/** Clients connect to a wildcard listener through loopback. */
export function connectHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: connectHost(host), port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(clampDelayMs(timeoutMs), () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, clampDelayMs(ms)));

/** Polls until `check` is true or `timeoutMs` passes; returns whether it became true. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Model ids listed by an OpenAI-compatible GET /v1/models answer. */
export function modelIds(body: unknown): string[] {
  const data = (body as { data?: { id?: unknown }[] } | null)?.data;
  return Array.isArray(data) ? data.flatMap((m) => (typeof m?.id === 'string' ? [m.id] : [])) : [];
}
