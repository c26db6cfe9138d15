import { startLoop } from '../../core/lifecycle/loop';
import { stoppable, type Stoppable } from '../../core/lifecycle/stoppable';
import { isDatabaseSilent } from '../../db/database-unavailable';
import { ConnectionOutageLog } from '../../logging/connection-outage-log';
import type { Logger } from '../../logging/logger';
import type { StopVerdict, WorkerRegistry } from './worker-registry';

/**
 * Heartbeats every `intervalMs` (last heartbeat, RSS, CPU time). The next beat is timed from the end of the one
 * before, so beats never overlap nor pile up; a beat gets `intervalMs` to answer, so one that hangs on an unreachable
 * database counts as failed without holding up the next. A failed beat is logged and the next one tried, since the
 * database may be back by then. stop() waits for a beat in flight.
 *
 * `onStop` hears when a beat finds the worker asked to stop (see WorkerRegistry.requestStop) or its row closed (the
 * supervisor replaced it), and when nothing has answered its beats for `cutOffAfterMs` (no answer, not even a refusal:
 * its host's network failed). The supervisor, which replaces a silent worker after its heartbeat timeout, may then
 * start its successor on another host, so a worker cut off stops before. A database that answers that it cannot serve
 * (restarting, refusing connections) is down for every server too: nobody replaces the worker meanwhile, and it waits.
 */
export function startHeartbeat(options: {
  registry: WorkerRegistry; workerId: string; intervalMs: number; cutOffAfterMs: number; logger: Logger;
  onStop: (verdict: StopVerdict) => void;
}): Stoppable {
  const { registry, workerId, intervalMs, cutOffAfterMs, logger } = options;
  const failures = new ConnectionOutageLog(logger, 'worker.heartbeat_failed', 'heartbeat failed');
  /** When the database last answered a beat, with a heartbeat or an error of its own. */
  let lastAnswerMs = Date.now();
  /**
   * Whether a beat has gone out since that answer: silence counts only while the worker tries (a process whose event
   * loop was busy for a while has not been cut off).
   */
  let asked = false;
  // Checked on a clock of its own, not only when a beat fails: a beat waits out its deadline first.
  const watchdog = setInterval(() => {
    const silentMs = Date.now() - lastAnswerMs;
    if (asked && silentMs >= cutOffAfterMs) options.onStop({ kind: 'cut-off', reason: `nothing answered its heartbeats for ${Math.round(silentMs / 1000)} s` });
  }, Math.min(intervalMs, WATCHDOG_MS));
  watchdog.unref();
  const heard = (): void => {
    lastAnswerMs = Date.now();
    asked = false;
  };
  const beats = startLoop({ name: 'heartbeat', timing: { everyMs: intervalMs, firstAfterMs: intervalMs }, logger }, async () => {
    const usage = process.resourceUsage();
    asked = true;
    const beat = registry.heartbeat(workerId, { rssBytes: process.memoryUsage.rss(), cpuTimeMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 });
    let timer: NodeJS.Timeout | undefined;
    const unanswered = new Error(`no answer from the database within ${intervalMs} ms`);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unanswered), intervalMs);
    });
    try {
      const answer = await Promise.race([beat, deadline]);
      heard();
      if (answer !== null) options.onStop(answer);
    } catch (error: unknown) {
      beat.catch(() => undefined); // it may still fail after its deadline
      if (error !== unanswered && !isDatabaseSilent(error)) heard();
      failures.report(error);
    } finally {
      clearTimeout(timer);
    }
  });
  return stoppable(async (force) => {
    clearInterval(watchdog);
    await beats.stop({ force });
  });
}

/** How often at most the watchdog looks at the time since the last heartbeat. */
const WATCHDOG_MS = 250;
