import { commonPrefixLength } from './tokens.js';
import type { SlotTask } from './info.js';

// The server's decoding slots (-np). A request holds one slot while it decodes; requests beyond
// the slot count wait in arrival order, like llama-server's deferred queue.

export interface Slot {
  readonly id: number;
  /** The prompt this slot last processed: its prefix is the cache the next prompt can reuse. */
  lastPrompt: string;
  task: SlotTask | null;
}

export class SlotPool {
  readonly slots: Slot[];
  private readonly waiting: Array<{ prompt: string; grant: (slot: Slot) => void }> = [];

  constructor(count: number) {
    this.slots = Array.from({ length: count }, (_, id) => ({ id, lastPrompt: '', task: null }));
  }

  get deferred(): number {
    return this.waiting.length;
  }

  get processing(): number {
    return this.slots.filter((slot) => slot.task !== null).length;
  }

  /** Waits for a free slot; among free ones, the one whose cached prompt matches best. */
  acquire(prompt: string, task: SlotTask): Promise<Slot> {
    const slot = this.bestFree(prompt);
    if (slot) {
      slot.task = task;
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => {
      this.waiting.push({
        prompt,
        grant: (granted) => {
          granted.task = task;
          resolve(granted);
        },
      });
    });
  }

  release(slot: Slot): void {
    slot.task = null;
    const next = this.waiting.shift();
    if (next) next.grant(slot);
  }

  private bestFree(prompt: string): Slot | undefined {
    let best: Slot | undefined;
    let bestShared = -1;
    for (const slot of this.slots) {
      if (slot.task !== null) continue;
      const shared = commonPrefixLength(slot.lastPrompt, prompt);
      if (shared > bestShared) {
        best = slot;
        bestShared = shared;
      }
    }
    return best;
  }
}
