// A scripted OpenAI-compatible lane for harness tests: with tools and no tool result yet it asks
// for one tool call (write hello to out.txt, or — when the system message says mode=peek — a
// shell command that reads ../tests/test.sh); after a tool result, or without tools, it answers.
// It reports usage like a real server, streamed (SSE, usage in the last chunk) or not.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeLane {
  baseURL: string;
  /** Usage the lane reported, summed over every chat request it answered. */
  usage: { prompt: number; completion: number; requests: number };
  close(): Promise<void>;
}

interface Req {
  messages: { role: string; content?: string }[];
  tools?: unknown[];
  stream?: boolean;
}

function replyFor(req: Req): { content: string; call?: { name: string; arguments: string } } {
  const answered = req.messages.some((m) => m.role === 'tool');
  if (!req.tools?.length || answered) return { content: 'Done: the task is finished.' };
  const peek = req.messages.some((m) => m.role === 'system' && String(m.content).includes('mode=peek'));
  if (peek) return { content: '', call: { name: 'bash', arguments: JSON.stringify({ command: 'cat ../tests/test.sh /tests/test.sh; ls /solution' }) } };
  return { content: '', call: { name: 'write_file', arguments: JSON.stringify({ path: 'out.txt', content: 'hello\n' }) } };
}

export async function startFakeLane(): Promise<FakeLane> {
  const usage = { prompt: 0, completion: 0, requests: 0 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/models') return res.end(JSON.stringify({ data: [{ id: 'fake-model' }] }));
      const parsed = JSON.parse(body || '{}') as Req;
      const reply = replyFor(parsed);
      const u = { prompt_tokens: 50 + parsed.messages.length * 10, completion_tokens: reply.call ? 12 : 7 };
      usage.prompt += u.prompt_tokens;
      usage.completion += u.completion_tokens;
      usage.requests++;
      const toolCalls = reply.call && [{ index: 0, id: `call_${usage.requests}`, type: 'function', function: reply.call }];
      const finish = reply.call ? 'tool_calls' : 'stop';
      if (!parsed.stream) {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: reply.content, ...(toolCalls && { tool_calls: toolCalls }) }, finish_reason: finish }], usage: u }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, extra: object = {}) => res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`);
      chunk({ role: 'assistant', content: '' });
      if (toolCalls) chunk({ tool_calls: toolCalls });
      else for (const word of reply.content.split(' ')) chunk({ content: `${word} ` });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: finish }], usage: u })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    usage,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
