import { afterEach, describe, expect, it, vi } from 'vitest';
import { keptFor } from './kept.ts';

describe('keptFor', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('loads a key once while it is kept, shares a load in flight, and loads again when its time is up or it is forgotten', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    let loads = 0;
    const kept = keptFor(1000, async (key: string) => `${key} ${++loads}`);
    const [a, b] = await Promise.all([kept.get('x'), kept.get('x')]);
    expect([a, b]).toEqual(['x 1', 'x 1']);
    vi.advanceTimersByTime(999);
    expect(await kept.get('x')).toBe('x 1');
    expect(await kept.get('y')).toBe('y 2');
    vi.advanceTimersByTime(1);
    expect(await kept.get('x')).toBe('x 3');
    kept.forget('x');
    expect(await kept.get('x')).toBe('x 4');
    expect(await kept.get('y')).toBe('y 2');
  });

  it('does not keep a failed load', async () => {
    let fail = true;
    const kept = keptFor(60_000, async () => {
      if (fail) throw new Error('down');
      return 'up';
    });
    await expect(kept.get('k')).rejects.toThrow('down');
    fail = false;
    expect(await kept.get('k')).toBe('up');
  });
});
