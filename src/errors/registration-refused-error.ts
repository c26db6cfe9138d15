import { FleetError } from './fleet-error';

/**
 * A worker's registration was refused. The message is the same whatever the reason (unknown worker, wrong, used
 * or expired secret), so it tells a prober nothing; the reason goes to the log.
 */
export class RegistrationRefusedError extends FleetError {
  constructor(options?: { cause?: unknown }) {
    super('worker registration refused', options);
  }
}
