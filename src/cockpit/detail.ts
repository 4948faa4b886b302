// The attempt detail as lines wrapped to the screen width: verdict, check reason, timing, tools,
// the final answer, then the transcript (messages, tool calls and their results).
import wrapAnsi from 'wrap-ansi';
import { stripControl } from '../safeText.js';
import type { RunRecord } from '../types.js';
import { seconds, type Segment } from './format.js';
import { CELL_STYLE } from './glyphs.js';

export type DetailLine = Segment;

/** Longest tool result shown in full; longer ones are cut with a count of what was left out. */
const TOOL_RESULT_LINES = 20;

// Model output may hold escape sequences; never let them reach the terminal.
function clean(text: string): string {
  return stripControl(text).replace(/\t/g, '  ');
}

function wrapped(text: string, width: number, style: Omit<Segment, 'text'> = {}, indent = ''): DetailLine[] {
  const inner = Math.max(1, width - indent.length);
  return wrapAnsi(clean(text), inner, { hard: true, trim: false })
    .split('\n')
    .map((line) => ({ ...style, text: indent + line }));
}

interface Message {
  role?: string;
  content?: unknown;
  reasoning_content?: unknown;
  tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[];
  tool_call_id?: string;
  name?: string;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('');
  }
  return '';
}

/** The transcript's messages: an array of chat messages, or an object holding one under `messages`. */
function messagesOf(data: unknown): Message[] | null {
  if (Array.isArray(data)) return data as Message[];
  if (data && typeof data === 'object' && Array.isArray((data as { messages?: unknown }).messages)) {
    return (data as { messages: Message[] }).messages;
  }
  return null;
}

function transcriptLines(text: string, width: number): DetailLine[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return wrapped(text, width);
  }
  const messages = messagesOf(data);
  if (!messages) return wrapped(JSON.stringify(data, null, 2), width);
  const toolNames = new Map<string, string>();
  const lines: DetailLine[] = [];
  for (const m of messages) {
    const role = m.role ?? '?';
    if (role === 'tool') {
      const name = m.name ?? toolNames.get(m.tool_call_id ?? '') ?? 'tool';
      lines.push({ text: `← ${name}`, color: 'cyan' });
      const result = wrapped(contentText(m.content), width, { dim: true }, '  ');
      lines.push(...result.slice(0, TOOL_RESULT_LINES));
      if (result.length > TOOL_RESULT_LINES) lines.push({ text: `  … ${result.length - TOOL_RESULT_LINES} more lines`, dim: true });
      continue;
    }
    lines.push({ text: `[${role}]`, bold: true, color: role === 'assistant' ? 'green' : role === 'user' ? 'blue' : 'gray' });
    const reasoning = contentText(m.reasoning_content);
    if (reasoning) lines.push(...wrapped(reasoning, width, { dim: true }, '  '));
    const content = contentText(m.content);
    if (content) lines.push(...wrapped(content, width, {}, '  '));
    for (const call of m.tool_calls ?? []) {
      const name = call.function?.name ?? '?';
      if (call.id) toolNames.set(call.id, name);
      lines.push(...wrapped(`→ ${name}(${call.function?.arguments ?? ''})`, width, { color: 'yellow' }, '  '));
    }
  }
  return lines;
}

/** Every line of the detail view for `record`, each at most `width` cells wide. */
export function detailLines(record: RunRecord, transcript: string | null, error: string | null, width: number): DetailLine[] {
  const style = CELL_STYLE[record.outcome];
  const lines: DetailLine[] = [
    ...wrapped(`${record.prompt_id} · attempt ${record.attempt} · ${style.glyph} ${record.outcome}`, width, { bold: true, color: style.color }),
    ...wrapped(`check   ${record.check_passed ? 'passed' : 'failed'}: ${record.why}`, width),
    ...wrapped(
      `timing  wall ${seconds(record.wall_s)} · ttft ${record.ttft_s === null ? '—' : seconds(record.ttft_s)} · ` +
        `turns ${record.turns} · tokens ${record.tokens.prompt} in / ${record.tokens.completion} out`,
      width,
    ),
    ...wrapped(
      `tools   ${record.tools_called.length ? record.tools_called.join(', ') : 'none'} · ` +
        `${record.correct_tool ? 'expected tool used' : 'expected tool not used'}` +
        (record.escape_attempts ? ` · ${record.escape_attempts} escape attempts` : ''),
      width,
    ),
  ];
  if (record.error) lines.push(...wrapped(`error   ${record.error}`, width, { color: 'red' }));
  lines.push({ text: 'answer', bold: true });
  if (record.answer) lines.push(...wrapped(record.answer, width, {}, '  '));
  else if (record.reasoning) lines.push(...wrapped(`(no content; reasoning) ${record.reasoning}`, width, { dim: true }, '  '));
  else lines.push({ text: '  (empty)', dim: true });
  lines.push(...wrapped('── transcript ──', width, { bold: true }));
  if (error) lines.push(...wrapped(`transcript unavailable: ${error}`, width, { color: 'red' }));
  else if (transcript === null) lines.push({ text: 'reading transcript…', dim: true });
  else lines.push(...transcriptLines(transcript, width));
  return lines;
}
