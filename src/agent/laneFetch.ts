// The fetch every request to a lane goes through (DESIGN §15, "Real servers close connections").
// llama-server closes the connection after every streamed response although it advertised
// keep-alive; Node's pooled client (undici) may write the next request onto that closed socket and
// fail with UND_ERR_SOCKET / ECONNRESET before any response byte. fetch() resolves when the response
// headers arrive, so an error it rejects with is one where no answer began: the server never took
// the request on, and it is sent again at once (undici has dropped the dead socket, so the retry
// gets another connection). An error after the headers (a cut stream) comes from the body and is
// never retried: that one is the lane's fault.

/** Socket errors that mean "the connection was already gone", as undici and Node name them. */
const RETRYABLE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);
/** A second stale socket in a row is possible under concurrency; a third is not worth waiting for. */
const MAX_RETRIES = 2;

export interface LaneFetchStats {
  /** Requests sent again after a connection failed before any response byte. */
  retries: number;
}

export type LaneFetch = typeof fetch & { readonly stats: LaneFetchStats };

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A body that can be sent twice (the OpenAI client sends JSON strings). */
function replayable(input: Parameters<typeof fetch>[0], init?: RequestInit): boolean {
  if (input instanceof Request && input.body) return false;
  const body = init?.body;
  return !(body instanceof ReadableStream) && !(body != null && typeof body === 'object' && Symbol.asyncIterator in body);
}

export function createLaneFetch(base?: typeof fetch): LaneFetch {
  // looked up per call, so a test's stubbed global fetch is the one used
  const send: typeof fetch = base ?? ((input, init) => globalThis.fetch(input, init));
  const stats: LaneFetchStats = { retries: 0 };
  const laneFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    for (let retry = 0; ; retry++) {
      try {
        return await send(input, init);
      } catch (err) {
        const code = errorCode(err);
        const again = retry < MAX_RETRIES && code !== undefined && RETRYABLE_CODES.has(code) && !init?.signal?.aborted && replayable(input, init);
        if (!again) throw err;
        stats.retries++;
      }
    }
  };
  return Object.assign(laneFetch, { stats }) as LaneFetch;
}

/** The one lane fetch of this process; its retry count is what tests and benches read. */
export const laneFetch = createLaneFetch();
