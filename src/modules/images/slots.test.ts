import { describe, expect, it } from 'vitest';
import { taskSlots } from './slots.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('task slots', () => {
  it('runs at most that many at once, the rest in the order they came, and frees a slot when a task fails', async () => {
    const slots = taskSlots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) =>
      slots.run(async () => {
        started.push(n);
        running++;
        most = Math.max(most, running);
        await tick();
        running--;
        if (n === 1) throw new Error('decoder failed');
        return n;
      });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(task));
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    // Every slot came back: two more run side by side at once.
    running = 0;
    most = 0;
    await Promise.all([6, 7].map(task));
    expect(most).toBe(2);
  });
});
