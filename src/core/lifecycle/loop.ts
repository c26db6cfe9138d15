import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../../logging/logger';
import { stoppable, type Stoppable } from './stoppable';

/**
 * When a loop runs: every `everyMs` counted from the end of the run before (the first one at once, or after
 * `firstAfterMs`), or at the times of a cron expression (and at once too with `runAtStart`).
 */
export type LoopTiming = { everyMs: number; firstAfterMs?: number } | { cron: string; runAtStart?: boolean };

export interface LoopOptions {
  /** Names the loop in its log lines. */
  name: string;
  timing: LoopTiming;
  logger: Logger;
  /** False for a timed loop that is no reason for its process to stay up (it runs while something else keeps it). */
  keepsProcessAlive?: boolean;
}

/**
 * One run of a loop. `signal` aborts when the loop is stopped with `force`; a run that takes long should heed it.
 * A timed run may say when the next one comes instead of the loop's interval.
 */
export type LoopRun = (signal: AbortSignal) => Promise<void | { nextInMs: number }>;

/**
 * The fleet's one way of doing timed work, in the manner of Taskcluster's loops that refuse to interfere with
 * themselves: a run never overlaps the one before it (a timed loop schedules the next run when one ends; a cron
 * time that comes while a run is still going is skipped), and a failed run is logged and the loop goes on. stop()
 * starts no new run and waits for the one in flight; forced, it also aborts that run's signal.
 */
export function startLoop(options: LoopOptions, run: LoopRun): Stoppable {
  const { name, timing, logger, keepsProcessAlive = true } = options;
  if ('everyMs' in timing && !(timing.everyMs > 0)) throw new Error(`the ${name} loop's everyMs must be greater than 0`);
  if ('cron' in timing && !cron.validate(timing.cron)) throw new Error(`the ${name} loop's schedule "${timing.cron}" is not a cron expression`);
  const abort = new AbortController();
  let stopped = false;
  let busy = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let task: ScheduledTask | undefined;
  const schedule = (afterMs: number): void => {
    timer = setTimeout(runOnce, afterMs);
    if (!keepsProcessAlive) timer.unref();
  };

  const runOnce = (): void => {
    if (stopped) return;
    if (busy) {
      logger.debug({ event: 'loop.skipped', loop: name }, `the ${name} loop's run is still going; this one is skipped`);
      return;
    }
    busy = true;
    inFlight = (async () => {
      let nextInMs: number | undefined;
      try {
        nextInMs = (await run(abort.signal))?.nextInMs;
      } catch (error: unknown) {
        logger.error({ event: 'loop.failed', loop: name, err: error }, 'loop iteration failed');
      } finally {
        busy = false;
      }
      if (!stopped && 'everyMs' in timing) schedule(nextInMs ?? timing.everyMs);
    })();
  };

  if ('everyMs' in timing) {
    schedule(timing.firstAfterMs ?? 0);
  } else {
    task = cron.schedule(timing.cron, runOnce);
    if (timing.runAtStart) runOnce();
  }
  return stoppable(async (force) => {
    stopped = true;
    clearTimeout(timer);
    await task?.stop();
    if (force) abort.abort();
    await inFlight;
  });
}
