// A request body on its way through the recording proxy (DESIGN §13), never held whole: it is read
// from the harness a chunk at a time, and each chunk is written to a spool file, hashed and handed
// to a sink (the proxy's scanner and exchange log) before it goes on to the lane. `live()` streams it
// to the lane as it arrives; `replay()` streams it again from the spool file once it has all come
// (a request sent onto a connection the lane had already closed is sent again, ../agent/laneFetch.ts);
// `read()` takes a bounded part back from the file (the tools list, a small conversation).
import { createHash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** Slices a replay reads from the spool file (each one goes to the lane and is dropped). */
const REPLAY_SLICE = 256 * 1024;

/** The harness's side of a body failed: it was over the size bound, or the harness broke off. */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export type BodySink = (chunk: Buffer) => Promise<void> | void;

export class SpooledBody {
  bytes = 0;
  /** Why the body could not be read whole (set once; every later read throws it). */
  failed: BodyError | null = null;
  private readonly hash = createHash('sha256');
  private digest: string | null = null;
  private ended = false;
  private readonly source: AsyncIterator<Buffer>;
  /** Reads happen one at a time, in order, whoever asks (the live stream, `finish`). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    source: AsyncIterable<Buffer>,
    private readonly max: number,
    private readonly sink: BodySink,
  ) {
    this.source = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** A spool file at `path` (created, private) for the body `source` yields, refused past `max` bytes. */
  static async open(path: string, source: AsyncIterable<Buffer>, max: number, sink: BodySink): Promise<SpooledBody> {
    const file = await open(path, 'wx+', 0o600);
    // unlinked at once: the open handle keeps it, and nothing is left behind whatever happens next
    await unlink(path).catch(() => undefined);
    return new SpooledBody(path, file, source, max, sink);
  }

  get complete(): boolean {
    return this.ended;
  }

  /** The body's sha256 (hex), once it is complete. */
  sha256(): string {
    return (this.digest ??= this.hash.digest('hex'));
  }

  /** The next chunk (already spooled, hashed and sunk), or null at the end. */
  next(): Promise<Buffer | null> {
    const chunk = this.queue.then(() => this.take());
    this.queue = chunk.catch(() => undefined);
    return chunk;
  }

  private async take(): Promise<Buffer | null> {
    if (this.failed) throw this.failed;
    if (this.ended) return null;
    let step: IteratorResult<Buffer>;
    try {
      step = await this.source.next();
    } catch (err) {
      throw (this.failed = new BodyError(`the harness broke off its request: ${(err as Error).message}`));
    }
    if (step.done) {
      this.ended = true;
      return null;
    }
    const chunk = step.value;
    if (this.bytes + chunk.length > this.max) throw (this.failed = new BodyError(`request over ${this.max} bytes`, true));
    await this.file.write(chunk, 0, chunk.length, this.bytes);
    this.bytes += chunk.length;
    this.hash.update(chunk);
    await this.sink(chunk);
    return chunk;
  }

  /** Reads the rest of the body (to the spool and the sink); throws `failed` if it cannot. */
  async finish(): Promise<void> {
    while ((await this.next()) !== null);
  }

  /** The body as it arrives, for the first try (the lane paces the reading); destroying it leaves the body whole. */
  live(): Readable {
    const chunks = async function* (body: SpooledBody) {
      for (let chunk = await body.next(); chunk !== null; chunk = await body.next()) yield chunk;
    };
    return Readable.from(chunks(this), { objectMode: false, highWaterMark: 0 });
  }

  /** The whole body again, from the spool file (after `finish`). */
  replay(): Readable {
    const slices = async function* (body: SpooledBody) {
      for (let at = 0; at < body.bytes; ) {
        const slice = await body.read(at, Math.min(at + REPLAY_SLICE, body.bytes));
        if (slice.length === 0) throw new Error(`the spool file ${body.path} ended early`);
        at += slice.length;
        yield slice;
      }
    };
    return Readable.from(slices(this), { objectMode: false, highWaterMark: 0 });
  }

  /** Bytes [start, end) of the spooled body (the caller bounds the size). */
  async read(start: number, end: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(end, this.bytes) - start));
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await this.file.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  }

  /** Closes the spool file (already unlinked: its space goes with the handle). */
  async close(): Promise<void> {
    // a write still under way finishes first (FileHandle.close waits for it)
    await this.file.close().catch(() => undefined);
  }
}
