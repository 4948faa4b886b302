// A scripted hostile model behind an OpenAI-compatible lane, for the chaos families of issue 11.
// The demo lane's brains (src/demo/brains.ts) play one tool call per turn from a fixed script;
// a hostile model also sends many calls in one turn, answers with what its tools found (so a
// peek at the answer key would be graded pass), and a hostile lane sends error text of its own.
// It streams like llama-server (SSE chunks, tool-call deltas by index) to the real agent loop.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ToolCall {
  name: string;
  args: Record<string, unknown>;
}

/** One assistant turn: tool calls, a final answer, or the lane failing the request. */
export type HostileTurn = { calls: ToolCall[] } | { answer: string } | { status: number; error: string };

export interface TurnContext {
  /** 1 for the first request of an attempt. */
  turn: number;
  /** The tool results sent back after the previous turn, in order. */
  results: string[];
  /** Every tool result of the attempt so far. */
  all: string[];
}

/** What the model does next in the attempt whose prompt carries `[case <id>]`. */
export type HostileScript = Record<string, (ctx: TurnContext) => HostileTurn>;

export interface HostileLane {
  url: string;
  /** The script it plays; cases may be added while it runs. */
  script: HostileScript;
  /** Chat requests answered, by case id (a probe or an unknown prompt counts under ''). */
  requests: Record<string, number>;
  close(): Promise<void>;
}

interface WireMessage {
  role: string;
  content?: unknown;
}

/** The case a request belongs to: the prompt says `[case <id>]`. */
export const caseTag = (id: string) => `[case ${id}]`;

function caseOf(messages: WireMessage[]): string {
  const user = messages.find((m) => m.role === 'user');
  return /\[case ([^\]]+)\]/.exec(typeof user?.content === 'string' ? user.content : '')?.[1] ?? '';
}

async function body(req: IncomingMessage): Promise<{ messages?: WireMessage[]; stream?: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { messages?: WireMessage[]; stream?: boolean };
}

const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };

/** A request without stream (the throughput probe): one JSON completion. */
function whole(res: ServerResponse, text: string): void {
  const message = { role: 'assistant', content: text };
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: 'hostile', object: 'chat.completion', created: 0, model: 'hostile', choices: [{ index: 0, message, finish_reason: 'stop' }], usage }));
}

function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ id: 'hostile', object: 'chat.completion.chunk', created: 0, model: 'hostile', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

function stream(res: ServerResponse, turn: Exclude<HostileTurn, { status: number }>): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  const parts: string[] = [chunk({ role: 'assistant', content: '' })];
  if ('answer' in turn) {
    parts.push(chunk({ content: turn.answer }), chunk({}, 'stop'));
  } else {
    turn.calls.forEach((call, index) =>
      parts.push(chunk({ tool_calls: [{ index, id: `call_${index}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }] })),
    );
    parts.push(chunk({}, 'tool_calls'));
  }
  parts.push(`data: ${JSON.stringify({ id: 'hostile', object: 'chat.completion.chunk', created: 0, model: 'hostile', choices: [], usage })}\n\n`, 'data: [DONE]\n\n');
  res.end(parts.join(''));
}

export async function startHostileLane(script: HostileScript): Promise<HostileLane> {
  const requests: Record<string, number> = {};
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url?.endsWith('/models')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'hostile', object: 'model' }] }));
        return;
      }
      const { messages = [], stream: streamed } = await body(req);
      if (!streamed) return whole(res, 'probe '.repeat(10));
      const id = caseOf(messages);
      requests[id] = (requests[id] ?? 0) + 1;
      const turn = messages.filter((m) => m.role === 'assistant').length + 1;
      const lastAssistant = messages.map((m) => m.role).lastIndexOf('assistant');
      const text = (list: WireMessage[]) => list.filter((m) => m.role === 'tool').map((m) => String(m.content));
      const next = script[id]?.({ turn, results: text(messages.slice(lastAssistant + 1)), all: text(messages) }) ?? { answer: 'nothing to do' };
      if ('status' in next) res.writeHead(next.status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: { message: next.error, type: 'server_error' } }));
      else stream(res, next);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
