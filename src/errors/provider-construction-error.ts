import { ProviderApiError } from './provider-api-error';

/**
 * A provider type's constructor threw. Constructors must not fail (they only store their options), so this is a
 * fault of the type, not of the fleet: it is met, recorded and retried like any failure of that one provider's
 * work, and never ends a process that serves other providers.
 */
export class ProviderConstructionError extends ProviderApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, undefined, options);
  }
}
