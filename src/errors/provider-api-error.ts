import { FleetError } from './fleet-error';

/**
 * A provider answered badly (5xx, a malformed body, a missing page) or not at all. Recorded on the provider; it
 * must never cause good inventory to be removed.
 */
export class ProviderApiError extends FleetError {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
