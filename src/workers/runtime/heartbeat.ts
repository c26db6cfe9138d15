import type { Logger } from '../../logging/logger';
import type { WorkerRegistry } from './worker-registry';

/**
 * Heartbeats every `intervalMs` (last heartbeat, RSS, CPU time). The next beat is timed from the end of the one
 * before, so beats never overlap nor pile up behind one that hangs on an unreachable database; a failed beat is
 * logged and the next one tried, since the database may be back by then. Returns the stop function, which waits for
 * a beat in flight.
 */
export function startHeartbeat(options: { registry: WorkerRegistry; workerId: string; intervalMs: number; logger: Logger }): () => Promise<void> {
  const { registry, workerId, intervalMs, logger } = options;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const beat = (): void => {
    const usage = process.resourceUsage();
    inFlight = registry.heartbeat(workerId, { rssBytes: process.memoryUsage.rss(), cpuTimeMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 })
      .catch((error: unknown) => logger.warn({ event: 'worker.heartbeat_failed', err: error }, 'heartbeat failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(beat, intervalMs);
      });
  };
  timer = setTimeout(beat, intervalMs);
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= (async () => {
    stopped = true;
    clearTimeout(timer);
    await inFlight;
  })());
}
