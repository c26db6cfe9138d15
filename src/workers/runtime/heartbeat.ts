import { startLoop } from '../../core/lifecycle/loop';
import type { Stoppable } from '../../core/lifecycle/stoppable';
import type { Logger } from '../../logging/logger';
import type { WorkerRegistry } from './worker-registry';

/**
 * Heartbeats every `intervalMs` (last heartbeat, RSS, CPU time). The next beat is timed from the end of the one
 * before, so beats never overlap nor pile up behind one that hangs on an unreachable database; a failed beat is
 * logged and the next one tried, since the database may be back by then. stop() waits for a beat in flight.
 */
export function startHeartbeat(options: { registry: WorkerRegistry; workerId: string; intervalMs: number; logger: Logger }): Stoppable {
  const { registry, workerId, intervalMs, logger } = options;
  return startLoop({ name: 'heartbeat', timing: { everyMs: intervalMs, firstAfterMs: intervalMs }, logger }, async () => {
    const usage = process.resourceUsage();
    await registry.heartbeat(workerId, { rssBytes: process.memoryUsage.rss(), cpuTimeMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 })
      .catch((error: unknown) => logger.warn({ event: 'worker.heartbeat_failed', err: error }, 'heartbeat failed'));
  });
}
