import { ProviderApiError } from '../sdk';

/** vCenter answered a call with a SOAP fault: `faultType` is its vim25 type (ManagedObjectNotFound, InvalidArgument, ...). */
export class VimFaultError extends ProviderApiError {
  constructor(message: string, readonly faultType: string, options?: { cause?: unknown }) {
    super(message, undefined, options);
  }
}
