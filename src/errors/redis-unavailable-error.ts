import { FleetError } from './fleet-error';

/**
 * Redis did not answer (it is down, restarting or too slow), so what needed it was not done: the API answers 503,
 * and the caller may try again once Redis is back. The cause is the connection's own error.
 */
export class RedisUnavailableError extends FleetError {
  constructor(options?: { cause?: unknown }) {
    super('Redis is unavailable: nothing was done; try again once it is back', options);
  }
}
