// Lane hotkeys and short lane names for the lane bar and the lane menu.
import type { LaneKind } from '../types.js';

export interface LaneHotkey {
  key: string;
  id: string;
}

/**
 * One key per lane: digits 1–9 for the managed lanes in manifest order, `d` for the demo lane
 * (as in DESIGN §9's lane bar). Lanes past the ninth are reached through the `s` menu.
 */
export function laneHotkeys(lanes: readonly { id: string; kind: LaneKind }[]): LaneHotkey[] {
  const keys: LaneHotkey[] = [];
  let digit = 1;
  let demoTaken = false;
  for (const lane of lanes) {
    if (lane.kind === 'demo' && !demoTaken) {
      keys.push({ key: 'd', id: lane.id });
      demoTaken = true;
    } else if (digit <= 9) {
      keys.push({ key: String(digit++), id: lane.id });
    }
  }
  return keys;
}

/** The lane a key selects, if any. */
export function laneForKey(lanes: readonly { id: string; kind: LaneKind }[], key: string): string | undefined {
  return laneHotkeys(lanes).find((h) => h.key === key)?.id;
}

const MIN_SHORT = 4;

/**
 * Short names that stay unique: the shortest dash-separated suffix of at least four characters
 * that no other id ends with ("qwen3-30b-moe-llamacpp-q4km" → "q4km", "…-vllm-fp8" → "vllm-fp8").
 */
export function shortLaneIds(ids: readonly string[]): Map<string, string> {
  const short = new Map<string, string>();
  for (const id of ids) {
    const parts = id.split('-');
    let name = id;
    for (let take = 1; take <= parts.length; take++) {
      const suffix = parts.slice(-take).join('-');
      if (suffix.length < MIN_SHORT && take < parts.length) continue;
      const clash = ids.some((other) => other !== id && (other === suffix || other.endsWith(`-${suffix}`)));
      if (!clash) {
        name = suffix;
        break;
      }
    }
    short.set(id, name);
  }
  return short;
}
