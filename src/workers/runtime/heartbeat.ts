import { startLoop } from '../../core/lifecycle/loop';
import type { Stoppable } from '../../core/lifecycle/stoppable';
import { ConnectionOutageLog } from '../../logging/connection-outage-log';
import type { Logger } from '../../logging/logger';
import type { WorkerRegistry } from './worker-registry';

/**
 * Heartbeats every `intervalMs` (last heartbeat, RSS, CPU time). The next beat is timed from the end of the one
 * before, so beats never overlap nor pile up behind one that hangs on an unreachable database; a failed beat is
 * logged and the next one tried, since the database may be back by then. stop() waits for a beat in flight.
 * A beat also hears whether the worker was asked to stop.
 */
export function startHeartbeat(options: {
  registry: WorkerRegistry; workerId: string; intervalMs: number; logger: Logger;
  /** Called with the reason when a beat finds the worker asked to stop (see WorkerRegistry.requestStop). */
  onStopRequested: (reason: string) => void;
}): Stoppable {
  const { registry, workerId, intervalMs, logger } = options;
  const failures = new ConnectionOutageLog(logger, 'worker.heartbeat_failed', 'heartbeat failed');
  return startLoop({ name: 'heartbeat', timing: { everyMs: intervalMs, firstAfterMs: intervalMs }, logger }, async () => {
    const usage = process.resourceUsage();
    const stopRequested = await registry.heartbeat(workerId, { rssBytes: process.memoryUsage.rss(), cpuTimeMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 })
      .catch((error: unknown) => {
        failures.report(error);
        return null;
      });
    if (stopRequested !== null) options.onStopRequested(stopRequested);
  });
}
