import type { Logger } from '../../logging/logger';
import type { WorkerRegistry } from './worker-registry';

/**
 * Heartbeats every `intervalMs` (last heartbeat, RSS, CPU time). Beats never overlap; a failed beat is logged and
 * the next one tried, since the database may be back by then. Returns the stop function, which waits for a beat
 * in flight.
 */
export function startHeartbeat(options: { registry: WorkerRegistry; workerId: string; intervalMs: number; logger: Logger }): () => Promise<void> {
  const { registry, workerId, intervalMs, logger } = options;
  let inFlight: Promise<void> = Promise.resolve();
  const beat = (): void => {
    const usage = process.resourceUsage();
    inFlight = registry.heartbeat(workerId, { rssBytes: process.memoryUsage.rss(), cpuTimeMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 })
      .catch((error: unknown) => logger.warn({ event: 'worker.heartbeat_failed', err: error }, 'heartbeat failed'));
  };
  const timer = setInterval(() => {
    void inFlight.then(beat);
  }, intervalMs);
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= (async () => {
    clearInterval(timer);
    await inFlight;
  })());
}
