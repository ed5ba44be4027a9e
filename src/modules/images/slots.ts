/**
 * Runs at most `count` tasks at once; the rest wait their turn, first come first served. Decoding a 40-megapixel
 * photo holds about 160 MB while libvips works on it, so a process decodes a couple of uploads at a time however
 * many arrive together, and a burst of uploads waits a little instead of running the process out of memory.
 */
export interface TaskSlots {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function taskSlots(count: number): TaskSlots {
  if (!Number.isInteger(count) || count < 1) throw new Error(`task slots need a positive count, not ${count}`);
  let busy = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(task) {
      if (busy < count) busy++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        // The slot passes straight to the next in line, so a task arriving meanwhile cannot jump the queue.
        const next = waiting.shift();
        if (next) next();
        else busy--;
      }
    },
  };
}
