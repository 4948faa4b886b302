// Injected misbehaviour for testing clients against a lane that goes wrong. Each fault fires on
// every 5th request it is eligible for (its 5th, 10th, ... eligible request), so a run still
// finishes; a request gets at most one fault (the first listed that is due), and a fault only
// counts requests no earlier fault took, so several faults spread over different requests.
//
//   fault          eligible requests                       what happens
//   http500        any chat request                        HTTP 500 server_error, no completion
//   http503        any chat request                        HTTP 503 "Loading model"
//   reset          any chat request                        socket destroyed after a few tokens
//   never-ends     any chat request                        a few tokens, then the response stalls forever
//   silent         any chat request                        request accepted, nothing ever written
//   huge           turns that answer in text               10 MB of filler before the answer, undelayed
//   bad-utf8       turns that answer in text               bytes that are not UTF-8 inside the answer
//   bad-args       turns that call a tool                  arguments that are not JSON
//   unknown-tool   turns that call a tool                  the call names a tool that does not exist
//   finish-lie     turns that call a tool                  finish_reason "stop" instead of "tool_calls"
//   split-chunks   every streamed response (no count)      SSE bytes written in small arbitrary pieces,
//                                                          splitting multi-byte UTF-8 characters

export const faultNames = [
  'http500',
  'http503',
  'reset',
  'split-chunks',
  'never-ends',
  'silent',
  'huge',
  'bad-utf8',
  'bad-args',
  'unknown-tool',
  'finish-lie',
] as const;
export type FaultName = (typeof faultNames)[number];

export function isFaultName(name: string): name is FaultName {
  return (faultNames as readonly string[]).includes(name);
}

export const faultPeriod = 5;

type Eligibility = 'any' | 'answer' | 'tool_call' | 'stream';

const eligibility: Record<FaultName, Eligibility> = {
  http500: 'any',
  http503: 'any',
  reset: 'any',
  'never-ends': 'any',
  silent: 'any',
  huge: 'answer',
  'bad-utf8': 'answer',
  'bad-args': 'tool_call',
  'unknown-tool': 'tool_call',
  'finish-lie': 'tool_call',
  'split-chunks': 'stream',
};

/** The kind of turn the brain is about to produce. */
export type TurnKind = 'answer' | 'tool_call' | 'parse_error';

export class FaultPlan {
  private readonly counts = new Map<FaultName, number>();
  /** How many times each fault was applied (split-chunks: streamed responses it split). */
  readonly fired = new Map<FaultName, number>();

  constructor(private readonly faults: readonly FaultName[]) {}

  get splitsChunks(): boolean {
    return this.faults.includes('split-chunks');
  }

  /** The fault this request gets, if any; advances the eligible-request counters. */
  pick(turn: TurnKind): FaultName | undefined {
    for (const fault of this.faults) {
      const rule = eligibility[fault];
      if (rule === 'stream' || (rule !== 'any' && rule !== turn)) continue;
      const count = (this.counts.get(fault) ?? 0) + 1;
      this.counts.set(fault, count);
      if (count % faultPeriod === 0) {
        this.record(fault);
        return fault;
      }
    }
    return undefined;
  }

  record(fault: FaultName): void {
    this.fired.set(fault, (this.fired.get(fault) ?? 0) + 1);
  }
}
