import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';

// Writing a response body: backpressure-aware writes and the SSE framing llama-server uses
// (`data: <json>\n\n`, ending with `data: [DONE]\n\n`).

/** Writes bytes, waiting while the socket's buffer is full; false once the client is gone. */
export async function writeBytes(res: ServerResponse, bytes: Buffer | string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(bytes)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
  return !res.destroyed;
}

/**
 * Cuts bytes at random points 1–12 bytes apart, and always once inside the first multi-byte
 * UTF-8 character, so a client that decodes each network read on its own breaks visibly.
 */
export function splitBytes(bytes: Buffer, random: () => number): Buffer[] {
  const cuts = new Set<number>();
  for (let at = 1 + Math.floor(random() * 12); at < bytes.length; at += 1 + Math.floor(random() * 12)) cuts.add(at);
  const firstMultiByte = bytes.findIndex((byte) => byte >= 0xc0);
  if (firstMultiByte !== -1 && firstMultiByte + 1 < bytes.length) cuts.add(firstMultiByte + 1);
  const sorted = [...cuts].sort((a, b) => a - b);
  return [0, ...sorted].map((from, i) => bytes.subarray(from, sorted[i] ?? bytes.length));
}

export class SseWriter {
  constructor(
    private readonly res: ServerResponse,
    /** With a random source, every event goes out in small separate writes (split-chunks). */
    private readonly splitRandom?: () => number,
  ) {}

  /** One `data:` event; false once the client is gone. */
  async event(json: Buffer): Promise<boolean> {
    return this.send(Buffer.concat([Buffer.from('data: '), json, Buffer.from('\n\n')]));
  }

  /** `data: [DONE]` and the end of the response. */
  async done(): Promise<void> {
    if (await this.send(Buffer.from('data: [DONE]\n\n'))) this.res.end();
  }

  /** Ends the stream without [DONE], as llama-server does after an in-stream error. */
  end(): void {
    if (!this.res.destroyed) this.res.end();
  }

  private async send(bytes: Buffer): Promise<boolean> {
    if (!this.splitRandom) return writeBytes(this.res, bytes);
    for (const piece of splitBytes(bytes, this.splitRandom)) {
      if (!(await writeBytes(this.res, piece))) return false;
      await nextTurn();
    }
    return true;
  }
}
