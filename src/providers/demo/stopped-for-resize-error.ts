import { describeError, ProviderApiError } from '../sdk';

/** A resize that failed after its VM was stopped for it: the task says what failed; the cleanup starts the VM again. */
export class StoppedForResizeError extends ProviderApiError {
  constructor(cause: unknown) {
    super(describeError(cause), cause instanceof ProviderApiError ? cause.status : undefined, { cause });
  }
}
