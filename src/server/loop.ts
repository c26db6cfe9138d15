import type { Logger } from '../logging/logger';

/**
 * Runs `iterate` every `intervalMs` without ever overlapping itself (the next run is scheduled when one ends); a
 * failed iteration is logged and the loop goes on. Returns the stop function, which waits for a run in flight.
 */
export function startLoop(name: string, intervalMs: number, iterate: () => Promise<void>, logger: Logger): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = (): void => {
    running = iterate()
      .catch((error: unknown) => logger.error({ event: 'loop.failed', loop: name, err: error }, 'loop iteration failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(run, intervalMs);
      });
  };
  timer = setTimeout(run, 0);
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= (async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  })());
}
