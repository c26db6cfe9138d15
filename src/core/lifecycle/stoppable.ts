/** How a stop goes: by default the work in hand finishes; `force` tells it to give up at once (abort, hand back). */
export interface StopOptions {
  force?: boolean;
}

/**
 * What every start() in the fleet returns, whether a worker or a timed loop. stop() ends the work and resolves only
 * once nothing of it runs any more. It is idempotent: a repeated call gets the first call's promise, except that a
 * forced call after a graceful one still forces the work in hand (a graceful stop that takes too long is escalated).
 */
export interface Stoppable {
  stop(options?: StopOptions): Promise<void>;
}

/**
 * A Stoppable from the work's own way of ending. `end` runs at most twice: once graceful and once forced, the
 * forced one possibly while the graceful one is still waiting; it must tolerate that.
 */
export function stoppable(end: (force: boolean) => Promise<void>): Stoppable {
  let graceful: Promise<void> | undefined;
  let forced: Promise<void> | undefined;
  return {
    stop({ force = false } = {}) {
      if (force) return (forced ??= end(true));
      return (graceful ??= forced ?? end(false));
    },
  };
}

/** A Stoppable for work with one way of ending, which forcing cannot hasten: every stop() is the first one. */
export function stopsOnce(end: () => Promise<void>): Stoppable {
  let stopping: Promise<void> | undefined;
  return { stop: () => (stopping ??= end()) };
}

/** Stops several at once (each is asked even if another fails); rejects with the first failure once all have ended. */
export async function stopAll(handles: readonly (Stoppable | undefined)[], options?: StopOptions): Promise<void> {
  const results = await Promise.allSettled(handles.map((handle) => handle?.stop(options)));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
