// Loaded into the server process that `npm run soak` starts (node --import), and nowhere else: on request over the
// IPC channel it reports the process's memory. With `gc` it first runs a full garbage collection (the server is
// started with --expose-gc), so the heap figure is what is still live, not what the collector has yet to reclaim:
// that is the figure that shows a leak.

interface MemoryRequest {
  type: 'memory';
  gc?: boolean;
}

const collect = (globalThis as { gc?: () => void }).gc;

if (process.send) {
  process.on('message', (message: MemoryRequest) => {
    if (message?.type !== 'memory') return;
    if (message.gc && collect) collect();
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'memory',
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      cpuMicros: cpu.user + cpu.system,
    });
  });
  // The channel must not keep the server alive once it has shut down.
  process.channel?.unref();
}
