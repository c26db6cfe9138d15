import { setTimeout as delay } from 'node:timers/promises';
import { ProviderApiError } from '../errors';
import { parseRetryAfter } from './retry-after';

/** Answers that say the provider is busy and may say when to come back (Retry-After), with their reason phrases. */
const BUSY_STATUSES: ReadonlyMap<number, string> = new Map([[429, 'Too Many Requests'], [503, 'Service Unavailable']]);
/** Busy answers and server errors that a restarting or overloaded backend gives: asking again may get another answer. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export interface HttpRetryOptions {
  /** Requests sent at most for one call, the first included (default 5). */
  maxAttempts?: number;
  /** The longest single wait; a Retry-After asking for more is reported, not waited for (default 30 s). */
  maxWaitMs?: number;
  /** The first back-off when the provider does not say how long to wait; it doubles with each attempt (default 250 ms). */
  backoffMs?: number;
  /** The longest back-off (default 8 s). */
  maxBackoffMs?: number;
  /** The clock that HTTP-date Retry-After values are read against. */
  now?: () => number;
  /** Waits `ms`, rejecting as soon as `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A float in [0, 1), for the back-off's jitter. */
  random?: () => number;
}

const DEFAULTS: Required<HttpRetryOptions> = {
  maxAttempts: 5,
  maxWaitMs: 30_000,
  backoffMs: 250,
  maxBackoffMs: 8_000,
  now: Date.now,
  sleep: (ms, signal) => delay(ms, undefined, { signal }),
  random: Math.random,
};

/**
 * The retry policy every provider type's HTTP calls go through. A busy provider (429, 503) is asked again after the
 * wait its Retry-After names (delta-seconds or an HTTP-date), other server errors and network failures after a short
 * exponential back-off with jitter, which busy answers without Retry-After get too. Bounded: at most `maxAttempts`
 * requests, and no single wait longer than `maxWaitMs` (a longer Retry-After ends the call at once). The caller's
 * AbortSignal (a refresh's deadline, a worker stopping) ends a wait the moment it aborts. Giving up throws a
 * ProviderApiError that says what the provider kept answering and how long it asked to wait, so a collector
 * records an incomplete collection as for any other failed call.
 */
export class HttpRetryPolicy {
  private readonly options: Required<HttpRetryOptions>;

  constructor(options: HttpRetryOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    const { maxAttempts, maxWaitMs, backoffMs, maxBackoffMs } = this.options;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error('maxAttempts must be a positive integer');
    for (const [name, value] of Object.entries({ maxWaitMs, backoffMs, maxBackoffMs })) {
      if (!(value >= 0)) throw new Error(`${name} must be 0 or more`);
    }
  }

  /**
   * Sends `request` until it gets an answer that asking again cannot change, and returns it (a success, or an error
   * status for the caller to judge). `label` names the call in errors (e.g. `GET /v1/regions`): never a URL with
   * credentials in it. Throws ProviderApiError when it gives up on a retryable status or when `signal` aborts
   * during a wait; the last network error as it was when the network keeps failing.
   */
  async send(label: string, request: () => Promise<Response>, signal?: AbortSignal): Promise<Response> {
    const { maxAttempts, maxWaitMs, now } = this.options;
    let waitedMs = 0;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await request();
      } catch (error: unknown) {
        if (signal?.aborted || attempt >= maxAttempts) throw error;
        waitedMs += await this.wait(this.backoff(attempt), signal, { message: `${label} failed`, cause: error });
        continue;
      }
      if (!RETRYABLE_STATUSES.has(response.status)) return response;
      await response.body?.cancel();
      const { status } = response;
      const busy = BUSY_STATUSES.get(status);
      const answered = `HTTP ${status}${busy === undefined ? '' : ` (${busy})`}`;
      const askedMs = busy === undefined ? null : parseRetryAfter(response.headers.get('retry-after'), now());
      if (askedMs !== null && askedMs > maxWaitMs) {
        throw new ProviderApiError(`${label}: the provider answered ${answered} and asked to wait ${seconds(askedMs)}, more than the ${seconds(maxWaitMs)} a request may wait: not retried`, status);
      }
      if (attempt >= maxAttempts) {
        const asked = busy === undefined ? '' : askedMs === null ? '; it did not say how long to wait' : `; it asked to wait ${seconds(askedMs)}`;
        throw new ProviderApiError(`${label}: the provider kept answering ${answered}: ${attempt} attempts over ${seconds(waitedMs)}${asked}`, status);
      }
      const asked = askedMs === null ? '' : ` and asked to wait ${seconds(askedMs)}`;
      waitedMs += await this.wait(askedMs ?? this.backoff(attempt), signal, { message: `${label}: the provider answered ${answered}${asked}`, status });
    }
  }

  /**
   * Waits unless `signal` aborts first, in which case it throws at once, saying what it was waiting after; returns
   * the time waited.
   */
  private async wait(ms: number, signal: AbortSignal | undefined, after: { message: string; status?: number; cause?: unknown }): Promise<number> {
    try {
      if (signal?.aborted) throw signal.reason;
      await this.options.sleep(ms, signal);
      return ms;
    } catch (error: unknown) {
      if (!signal?.aborted) throw error;
      throw new ProviderApiError(`${after.message}; the call was aborted while waiting to retry`, after.status, { cause: after.cause ?? error });
    }
  }

  /** Exponential, capped, with "equal jitter": at least half the step, so retries of many calls spread out. */
  private backoff(attempt: number): number {
    const { backoffMs, maxBackoffMs, maxWaitMs, random } = this.options;
    const step = Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs, maxWaitMs);
    return Math.round(step / 2 + (random() * step) / 2);
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
