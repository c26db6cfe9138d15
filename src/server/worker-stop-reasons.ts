/**
 * Why a worker stopped, as its row's stop_reason says. Written by the supervisor (the constants here) and by the
 * worker itself: the name of the signal that asked it to stop (SIGTERM, SIGINT), or `failed: <error>` when its work
 * failed by itself. The first reason written stays (see WorkerRegistry.markStopped), except `did not stop in time`,
 * which replaces the reason the worker was asked to stop for.
 */
export const STOP_REASONS = {
  /** A shared worker beyond the number wanted. */
  noLongerWanted: 'no longer wanted',
  providerGone: 'provider disabled or deleted',
  memoryThreshold: 'memory threshold passed',
  exited: 'exited',
  exitedBeforeRegistering: 'exited before registering',
  registrationTimeout: 'did not register in time',
  stopTimeout: 'did not stop in time',
} as const;

/** Stops that nothing went wrong for: the supervisor no longer wants the worker. */
export const ORDERLY_STOP_REASONS: readonly string[] = [STOP_REASONS.noLongerWanted, STOP_REASONS.providerGone];

const HEARTBEAT_LOST = 'no heartbeat for ';
const FAILED = 'failed: ';

/** The stop reason of a worker the supervisor replaced for not heartbeating. */
export function heartbeatLostReason(ageMs: number): string {
  return `${HEARTBEAT_LOST}${Math.round(ageMs / 1000)} s`;
}

/** The stop reason of a worker whose work failed by itself. */
export function workerFailedReason(message: string): string {
  return `${FAILED}${message}`;
}

/** Why a worker had to be replaced, as a closed set fit for a metric label. */
export type RestartCause =
  | 'exited' | 'exited_before_registering' | 'registration_timeout' | 'stop_timeout' | 'heartbeat_lost' | 'memory_threshold' | 'failed' | 'other';

const CAUSES: Readonly<Record<string, RestartCause>> = {
  [STOP_REASONS.exited]: 'exited',
  [STOP_REASONS.exitedBeforeRegistering]: 'exited_before_registering',
  [STOP_REASONS.registrationTimeout]: 'registration_timeout',
  [STOP_REASONS.stopTimeout]: 'stop_timeout',
  [STOP_REASONS.memoryThreshold]: 'memory_threshold',
};

/**
 * Why a stopped worker had to be replaced; null when it stopped in order (asked by a signal, or no longer wanted).
 * A worker stopped for its memory is replaced too: it was asked to stop because something was wrong.
 */
export function restartCause(stopReason: string | null): RestartCause | null {
  if (stopReason === null) return 'other';
  if (/^SIG[A-Z]+\b/.test(stopReason) || ORDERLY_STOP_REASONS.includes(stopReason)) return null;
  if (Object.hasOwn(CAUSES, stopReason)) return CAUSES[stopReason];
  if (stopReason.startsWith(HEARTBEAT_LOST)) return 'heartbeat_lost';
  if (stopReason.startsWith(FAILED)) return 'failed';
  return 'other';
}
