import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deferNext, queueOrderPath, readQueueOrder, writeQueueOrder } from '../../src/run/queue-order.js';
import { tempDir } from '../helpers/cli.js';

describe('queue order', () => {
  it('deferNext moves the lane due next behind the other waiting lanes', () => {
    expect(deferNext(['a', 'b', 'c', 'd'], new Set(['a']))).toEqual(['a', 'c', 'd', 'b']);
    expect(deferNext(['a', 'b', 'c'], new Set())).toEqual(['b', 'c', 'a']);
    expect(deferNext(['a', 'b', 'c'], new Set(['a', 'b']))).toEqual(['a', 'b', 'c']); // one waiting: nothing to swap
  });

  it('reads back a written order, and ignores one that does not name exactly the plan lanes', async () => {
    const dir = tempDir('bb-order-');
    expect(await readQueueOrder(dir, ['a', 'b'])).toEqual(['a', 'b']);
    await writeQueueOrder(dir, ['b', 'a']);
    expect(await readQueueOrder(dir, ['a', 'b'])).toEqual(['b', 'a']);
    writeFileSync(queueOrderPath(dir), JSON.stringify(['b', 'x']));
    expect(await readQueueOrder(dir, ['a', 'b'])).toEqual(['a', 'b']);
    writeFileSync(queueOrderPath(dir), '{broken');
    expect(await readQueueOrder(dir, ['a', 'b'])).toEqual(['a', 'b']);
  });
});
