// A scripted lane for the real agent CLIs (test/harness/real-clis.test.ts), in the three dialects
// they speak: OpenAI chat completions, Anthropic Messages, OpenAI Responses. A request that offers
// the CLI's own shell tool and carries no tool result yet gets one call of that tool (its name and
// arguments as the CLI defines them, shared/reference/agent-clis.md); any other request — a tool
// result came back, or a side request without tools — gets a short final answer. Every reply
// reports usage, streamed when asked, and the lane sums what it reported per dialect.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ShellCall {
  /** The CLI's shell tool (bash, run_shell_command, Bash, exec_command). */
  tool: string;
  arguments: Record<string, string>;
}

export interface CliLane {
  /** http://127.0.0.1:<port>/v1 */
  baseURL: string;
  /** Usage the lane reported over every model request it answered. */
  usage: { prompt: number; completion: number; requests: number };
  /** Each model request: its path, whether it offered the shell tool, whether a tool call was answered. */
  log: { path: string; shellOffered: boolean; answered: boolean }[];
  close(): Promise<void>;
}

type Body = Record<string, unknown> & { tools?: { name?: string; function?: { name?: string } }[]; stream?: boolean };

const FINAL = 'Done: hello is in /app/out.txt.';

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
const json = (res: ServerResponse, value: unknown): void => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
};
const toolNames = (body: Body) => (body.tools ?? []).map((t) => t.function?.name ?? t.name ?? '');

/** Usage per request: grows with the request so equal totals are not a coincidence. */
function usageFor(bodyBytes: number, call: boolean) {
  return { prompt: 40 + Math.floor(bodyBytes / 100), completion: call ? 17 : 9 };
}

function chat(res: ServerResponse, body: Body, call: ShellCall | null, u: { prompt: number; completion: number }): void {
  const usage = { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion };
  const toolCalls = call && [{ index: 0, id: 'call_bb_1', type: 'function', function: { name: call.tool, arguments: JSON.stringify(call.arguments) } }];
  const finish = call ? 'tool_calls' : 'stop';
  const base = { id: 'chatcmpl-bb', object: 'chat.completion.chunk', created: 1795339693, model: String(body.model) };
  if (!body.stream) {
    return json(res, { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: call ? '' : FINAL, ...(toolCalls && { tool_calls: toolCalls }) }, finish_reason: finish }], usage });
  }
  sse(res);
  const send = (value: object) => res.write(`data: ${JSON.stringify({ ...base, ...value })}\n\n`);
  send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  send({ choices: [{ index: 0, delta: toolCalls ? { tool_calls: toolCalls } : { content: FINAL }, finish_reason: null }] });
  send({ choices: [{ index: 0, delta: {}, finish_reason: finish }] });
  send({ choices: [], usage });
  res.end('data: [DONE]\n\n');
}

/** Anthropic Messages; usage split like Claude's: uncached input + cache reads. */
function messages(res: ServerResponse, body: Body, call: ShellCall | null, u: { prompt: number; completion: number }): void {
  const cached = Math.floor(u.prompt / 2);
  const usage = { input_tokens: u.prompt - cached, cache_read_input_tokens: cached, cache_creation_input_tokens: 0, output_tokens: u.completion };
  const block = call ? { type: 'tool_use', id: 'toolu_bb_1', name: call.tool, input: call.arguments } : { type: 'text', text: FINAL };
  const stop = call ? 'tool_use' : 'end_turn';
  const message = { id: 'msg_bb', type: 'message', role: 'assistant', model: String(body.model), stop_sequence: null };
  if (!body.stream) return json(res, { ...message, content: [block], stop_reason: stop, usage });
  sse(res);
  const send = (type: string, value: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...value })}\n\n`);
  send('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
  if (call) {
    send('content_block_start', { index: 0, content_block: { ...block, input: {} } });
    send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.arguments) } });
  } else {
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: FINAL } });
  }
  send('content_block_stop', { index: 0 });
  send('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.completion } });
  send('message_stop', {});
  res.end();
}

/** OpenAI Responses: a function_call output item, or a message. */
function responses(res: ServerResponse, body: Body, call: ShellCall | null, u: { prompt: number; completion: number }): void {
  const item = call
    ? { type: 'function_call', id: 'fc_bb_1', call_id: 'call_bb_1', name: call.tool, arguments: JSON.stringify(call.arguments), status: 'completed' }
    : { type: 'message', id: 'msg_bb_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: FINAL, annotations: [] }] };
  const usage = { input_tokens: u.prompt, input_tokens_details: { cached_tokens: 0 }, output_tokens: u.completion, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.prompt + u.completion };
  const response = { id: 'resp_bb', object: 'response', created_at: 1795339693, model: String(body.model), status: 'completed', output: [item], usage };
  if (!body.stream) return json(res, response);
  sse(res);
  let seq = 0;
  const send = (type: string, value: object) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...value })}\n\n`);
  send('response.created', { response: { ...response, status: 'in_progress', output: [], usage: null } });
  send('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress' } });
  send('response.output_item.done', { output_index: 0, item });
  send('response.completed', { response });
  res.end();
}

/** Whether the conversation already holds the result of a tool call, in any dialect. */
function answered(body: Body): boolean {
  const items = [...((body.messages as unknown[]) ?? []), ...(Array.isArray(body.input) ? (body.input as unknown[]) : [])];
  return JSON.stringify(items).match(/"role":"tool"|"type":"tool_result"|"type":"function_call_output"/) !== null;
}

export async function startCliLane(shell: ShellCall): Promise<CliLane> {
  const usage = { prompt: 0, completion: 0, requests: 0 };
  const log: CliLane['log'] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const part of req) text += part;
    const path = new URL(req.url ?? '/', 'http://lane').pathname;
    if (req.method === 'GET') return json(res, { object: 'list', data: [{ id: 'bench-model', object: 'model' }] });
    // not a model request (claude-code probes its base URL with a HEAD /): no usage to report
    if (!/\/(chat\/completions|messages|responses)$/.test(path)) return json(res, {});
    const body = JSON.parse(text || '{}') as Body;
    const shellOffered = toolNames(body).includes(shell.tool);
    const done = answered(body);
    const call = shellOffered && !done ? shell : null;
    const u = usageFor(text.length, call !== null);
    usage.prompt += u.prompt;
    usage.completion += u.completion;
    usage.requests++;
    log.push({ path, shellOffered, answered: done });
    if (path.endsWith('/messages')) return messages(res, body, call, u);
    if (path.endsWith('/responses')) return responses(res, body, call, u);
    return chat(res, body, call, u);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    usage,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
