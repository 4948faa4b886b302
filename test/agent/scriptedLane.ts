// A tiny OpenAI-compatible SSE server for the attempt-loop tests: it answers each
// /v1/chat/completions request with the next canned turn (the last one repeats), in the chunk
// shapes llama-server streams (see shared/reference/llama-server). The full fake lane is src/demo/.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type CannedTurn =
  | {
      kind: 'turn';
      content?: string;
      reasoning?: string;
      toolCalls?: { name: string; arguments: string }[];
      /** Send a usage chunk (default true). */
      usage?: boolean;
    }
  | { kind: 'http'; status: number; body: string }
  | { kind: 'streamError'; message: string }
  /** One chunk, then the socket is destroyed (or, with clean, the body just ends: no finish_reason, no [DONE]). */
  | { kind: 'cut'; clean?: boolean }
  | { kind: 'hang' };

export interface ChatMessage {
  role: string;
  content?: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools: { function: { name: string } }[];
  [field: string]: unknown;
}

export interface ScriptedLane {
  baseURL: string;
  /** Parsed request bodies, in order. */
  requests: ChatRequest[];
  headers: IncomingMessage['headers'][];
  close(): Promise<void>;
}

const chunk = (delta: object, finish: string | null = null) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion.chunk',
  created: 1795339693,
  model: 'bench-model',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

/** The SSE events of one canned turn: content and reasoning a word per chunk, tool-call arguments in two fragments. */
function events(turn: Extract<CannedTurn, { kind: 'turn' }>, requestNo: number): object[] {
  const out: object[] = [chunk({ role: 'assistant', content: null })];
  for (const word of turn.reasoning?.split(/(?<= )/) ?? []) out.push(chunk({ reasoning_content: word }));
  for (const word of turn.content?.split(/(?<= )/) ?? []) out.push(chunk({ content: word }));
  turn.toolCalls?.forEach((call, index) => {
    const half = Math.floor(call.arguments.length / 2);
    const id = `call-${requestNo}-${index}`;
    out.push(chunk({ tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: call.arguments.slice(0, half) } }] }));
    out.push(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] }));
  });
  out.push(chunk({}, turn.toolCalls?.length ? 'tool_calls' : 'stop'));
  if (turn.usage !== false) {
    out.push({ ...chunk({}), choices: [], usage: { prompt_tokens: 100 * requestNo, completion_tokens: 10, total_tokens: 100 * requestNo + 10 } });
  }
  return out;
}

export async function startScriptedLane(script: CannedTurn[]): Promise<ScriptedLane> {
  const requests: ChatRequest[] = [];
  const headers: IncomingMessage['headers'][] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const part of req) body += part;
    requests.push(JSON.parse(body) as ChatRequest);
    headers.push(req.headers);
    const turn = script[Math.min(requests.length, script.length) - 1]!;
    switch (turn.kind) {
      case 'http':
        res.writeHead(turn.status, { 'Content-Type': 'application/json; charset=utf-8' }).end(turn.body);
        return;
      case 'hang':
        return; // never answers; the client's abort closes the socket
      case 'cut':
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(chunk({ content: 'partial' }))}\n\n`, () => (turn.clean ? res.end() : res.socket?.destroy()));
        return;
      case 'streamError':
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: null }))}\n\n`);
        res.end(`data: ${JSON.stringify({ error: { code: 500, message: turn.message, type: 'server_error' } })}\n\n`);
        return;
      case 'turn':
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'X-Accel-Buffering': 'no' });
        res.write(': keep-alive\n\n');
        for (const event of events(turn, requests.length)) res.write(`data: ${JSON.stringify(event)}\n\n`);
        res.end('data: [DONE]\n\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    headers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
