import type { WorkerEnd } from './orchestrators/orchestrator';

/**
 * Why a worker stopped, as its row's stop_reason says. Written by the supervisor (the constants here, or `killed by
 * <signal>` for a process a signal ended without its knowing) and by the worker itself: the name of the signal that
 * asked it to stop (SIGTERM, SIGINT), or `failed: <error>` when its work failed by itself. The first reason written
 * stays (see WorkerRegistry.markStopped), except `did not stop in time`, which replaces the reason the worker was
 * asked to stop for.
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
  /** The server that started the worker shut down. */
  serverStopped: 'server stopped',
  /** Through the API, the CLI or the workers page (see WorkerRegistry.requestStop). */
  operatorRestart: 'restart requested by an operator',
} as const;

/** Stops that nothing went wrong for: the supervisor no longer wants the worker, or an operator restarted it. */
const ORDERLY_STOP_REASONS: readonly string[] = [STOP_REASONS.noLongerWanted, STOP_REASONS.providerGone, STOP_REASONS.serverStopped, STOP_REASONS.operatorRestart];

const HEARTBEAT_LOST = 'no heartbeat for ';
const FAILED = 'failed: ';
const KILLED = 'killed by ';
const CRASHED = 'crashed with ';
/** Signals a process raises on itself when it fails (an abort, as when V8 runs out of heap; a memory fault). */
const SELF_INFLICTED_SIGNALS = new Set(['SIGABRT', 'SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGTRAP', 'SIGSYS']);

/** The stop reason of a worker the supervisor replaced for not heartbeating. */
export function heartbeatLostReason(ageMs: number): string {
  return `${HEARTBEAT_LOST}${Math.round(ageMs / 1000)} s`;
}

/** The stop reason of a worker whose work failed by itself. */
export function workerFailedReason(message: string): string {
  return `${FAILED}${message}`;
}

/**
 * The stop reason of a worker whose process ended without stopping in order: the signal that killed it from outside
 * or that it crashed with, or that it exited (before registering, or after) when it exited or its orchestrator cannot
 * tell how it ended.
 */
export function endedReason(end: WorkerEnd, registered: boolean): string {
  if (end.kind === 'signal') return `${SELF_INFLICTED_SIGNALS.has(end.signal) ? CRASHED : KILLED}${end.signal}`;
  return registered ? STOP_REASONS.exited : STOP_REASONS.exitedBeforeRegistering;
}

/** Why a worker had to be replaced, as a closed set fit for a metric label. */
export const RESTART_CAUSES = [
  'exited', 'exited_before_registering', 'registration_timeout', 'stop_timeout', 'heartbeat_lost', 'memory_threshold', 'failed', 'crashed',
  'killed', 'other',
] as const;
export type RestartCause = (typeof RESTART_CAUSES)[number];

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
  if (stopReason.startsWith(CRASHED)) return 'crashed';
  if (stopReason.startsWith(KILLED)) return 'killed';
  return 'other';
}

/**
 * Whether a stop counts toward a worker's crash back-off: it failed by itself (a crash with a signal of its own
 * included). A worker stopped in order, or killed by a signal from outside (an operator's kill -9, the OOM killer),
 * is replaced at once.
 */
export function failedByItself(stopReason: string | null): boolean {
  if (stopReason === null) return false;
  const cause = restartCause(stopReason);
  return cause !== null && cause !== 'killed';
}
