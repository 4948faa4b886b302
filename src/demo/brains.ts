import { messageText, type ChatRequest } from './request.js';
import { findSolution, type Solution, type SolutionStep, type Solutions } from './solutions.js';

// Scripted brains: each turns a conversation into the next assistant reply by following the
// solutions script. They are pure; the server adds timing, transport, crashes and faults.

export const brainNames = ['strong', 'weak', 'confabulator', 'looper', 'broken-json', 'reasoning-only', 'crasher'] as const;
export type BrainName = (typeof brainNames)[number];

export function isBrainName(name: string): name is BrainName {
  return (brainNames as readonly string[]).includes(name);
}

export type BrainReply =
  | { kind: 'tool_call'; name: string; arguments: string }
  /** channel 'reasoning': the answer goes to reasoning_content and content stays empty. */
  | { kind: 'answer'; content: string; channel: 'content' | 'reasoning' }
  /** The model emitted a tool call the server's parser rejects (HTTP 500 / in-stream error). */
  | { kind: 'parse_error' }
  /** The lane itself fails (HTTP 500), as a task script's `server_error_after` asks. */
  | { kind: 'server_error' };

export const unknownPromptAnswer = "I don't know how to do that.";

/** The agent harness prefixes failed tool results with this. */
const toolErrorPrefix = 'ERROR:';

const fillerSentence = 'The quick brown fox jumps over the lazy dog while the lane keeps decoding. ';

/** Tool results that did not fail: how many steps of the script are done. */
export function progressOf(request: ChatRequest): number {
  return request.messages.filter((m) => m.role === 'tool' && !messageText(m.content).trimStart().startsWith(toolErrorPrefix)).length;
}

function firstUserPrompt(request: ChatRequest): string {
  const user = request.messages.find((m) => m.role === 'user');
  return user ? messageText(user.content) : '';
}

function callStep(step: SolutionStep): BrainReply {
  return { kind: 'tool_call', name: step.tool, arguments: JSON.stringify(step.args) };
}

function answer(content: string): BrainReply {
  return { kind: 'answer', content, channel: 'content' };
}

/** A wrong answer that looks like the right one: every digit moved by one. */
export function changeDigits(text: string): string {
  return text.replace(/\d/g, (d) => String((Number(d) + 1) % 10));
}

/** The strong brain's reply: the next step of the script, or the answer once all are done. */
function followScript(solution: Solution, progress: number): BrainReply {
  const step = solution.steps[progress];
  return step ? callStep(step) : answer(solution.answer);
}

/**
 * What an unscripted model does: a prompt sent with tools gets "I don't know"; a bare prompt
 * with a token limit (a throughput probe) decodes filler up to the limit, as a real model would.
 */
function unscripted(request: ChatRequest): BrainReply {
  if (request.tools.length === 0 && request.maxTokens !== undefined) {
    const chars = request.maxTokens * 4;
    return answer(fillerSentence.repeat(Math.ceil(chars / fillerSentence.length)).slice(0, chars));
  }
  return answer(unknownPromptAnswer);
}

export function planReply(brain: BrainName, request: ChatRequest, solutions: Solutions): BrainReply {
  const solution = findSolution(solutions, firstUserPrompt(request));
  const progress = progressOf(request);

  if (brain === 'looper') {
    const step = solution?.steps[0] ?? { tool: 'list_files', args: { path: '.' } };
    return callStep(step);
  }
  if (!solution) return unscripted(request);
  if (solution.server_error_after !== undefined && progress >= solution.server_error_after) return { kind: 'server_error' };

  switch (brain) {
    case 'strong':
    case 'crasher':
      return followScript(solution, progress);
    case 'weak':
      if (solution.steps.length >= 2 && progress >= 1) return answer(solution.weak_answer ?? changeDigits(solution.answer));
      return followScript(solution, progress);
    case 'confabulator':
      return solution.confab_answer !== undefined ? answer(solution.confab_answer) : followScript(solution, progress);
    case 'broken-json': {
      const reply = followScript(solution, progress);
      return reply.kind === 'tool_call' ? { kind: 'parse_error' } : reply;
    }
    case 'reasoning-only': {
      const reply = followScript(solution, progress);
      return reply.kind === 'answer' ? { ...reply, channel: 'reasoning' } : reply;
    }
  }
}
