import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * The order of a queue's lanes can change while it runs (from an attached cockpit): the new
 * order is kept in runs/<id>/queue.json, which the queue reads before it starts each lane.
 */
export function queueOrderPath(runDir: string): string {
  return join(runDir, 'queue.json');
}

/** The current order: queue.json when it names exactly the plan's lanes, else the plan's order. */
export async function readQueueOrder(runDir: string, planLanes: string[]): Promise<string[]> {
  try {
    const order = JSON.parse(await readFile(queueOrderPath(runDir), 'utf8')) as unknown;
    if (Array.isArray(order) && order.length === planLanes.length && planLanes.every((id) => order.includes(id))) return order as string[];
  } catch {
    // no reorder yet
  }
  return planLanes;
}

export async function writeQueueOrder(runDir: string, order: string[]): Promise<void> {
  await writeFileAtomic(queueOrderPath(runDir), `${JSON.stringify(order)}\n`);
}

/**
 * Moves the lane that would run next to the end of what is still waiting ("run that one
 * later"); lanes done or running keep their place. Returns the order unchanged when fewer than
 * two lanes wait.
 */
export function deferNext(order: string[], started: ReadonlySet<string>): string[] {
  const waiting = order.filter((id) => !started.has(id));
  if (waiting.length < 2) return order;
  const [next, ...rest] = waiting;
  return [...order.filter((id) => started.has(id)), ...rest, next!];
}
