// Node's timers hold a signed 32-bit millisecond count: a delay above 2^31-1 ms (~24.8 days), or a
// NaN or negative one, is replaced by 1 ms with only a warning, so a huge timeout from a flag,
// lanes.yaml, task.toml or a suite would fire at once ("ran past 10000000 s" after 1 ms). Every
// delay that can come from input goes through clampDelayMs on its way to a timer.

/** The longest delay a Node timer honours. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a delay a timer keeps: at most MAX_TIMER_MS (Infinity included), never below 0; NaN is 0. */
export function clampDelayMs(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}
