import { describeError } from '../errors';
import type { Logger } from './logger';

/**
 * Error codes of a connection that went away or could not be made: a Redis or PostgreSQL being restarted or out of
 * reach (node's socket errors; PostgreSQL's "admin shutdown", "crash shutdown" and "cannot connect now").
 */
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN', '57P01', '57P02', '57P03']);

/** How long the repeats of an outage are logged at debug level only, after its warning. */
const QUIET_MS = 60_000;

/** ioredis's and pg's words for a connection closed under them. */
const OUTAGE_MESSAGES = [/^Connection is closed\.?$/, /^Connection terminated/, /^connect ECONNREFUSED/];

/** Whether an error only says that a service the fleet depends on is away for now: an outage operators expect, not a bug. */
export function isConnectionOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  return (typeof code === 'string' && OUTAGE_CODES.has(code)) || OUTAGE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/**
 * Logs a failure: one that only says a service is away for now (an outage) as a warning line without a stack trace,
 * anything else at `level` with its stack, for it may be a bug.
 */
export function logFailure(logger: Logger, fields: { event: string } & Record<string, unknown>, message: string, error: unknown, level: 'warn' | 'error' = 'error'): void {
  if (isConnectionOutage(error)) logger.warn({ ...fields, error: describeError(error) }, `${message}: ${describeError(error)}`);
  else logger[level]({ ...fields, err: error }, message);
}

/**
 * Logs a connection's failures as an operator wants to read them: an outage (a restart, a service out of reach) as
 * one warning line without a stack trace, and its repeats while reconnecting (ioredis tries every few hundred
 * milliseconds) at debug level for a minute; anything else as a warning with its stack, for it may be a bug.
 */
export class ConnectionOutageLog {
  private lastWarnedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly logger: Logger, private readonly event: string, private readonly message: string) {}

  report(error: unknown): void {
    const now = Date.now();
    if (isConnectionOutage(error) && now - this.lastWarnedAt < QUIET_MS) {
      this.logger.debug({ event: this.event, error: describeError(error) }, `${this.message}: ${describeError(error)}`);
      return;
    }
    if (isConnectionOutage(error)) this.lastWarnedAt = now;
    logFailure(this.logger, { event: this.event }, this.message, error, 'warn');
  }
}
