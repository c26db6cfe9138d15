export { FleetError } from './fleet-error';
export { UserError } from './user-error';
export { ValidationError } from './validation-error';
export { NotFoundError } from './not-found-error';
export { ConflictError } from './conflict-error';
export { InvalidCredentialsError } from './invalid-credentials-error';
export { ProviderApiError } from './provider-api-error';
export { ProviderConstructionError } from './provider-construction-error';
export { ConfigError } from './config-error';
export { RegistrationRefusedError } from './registration-refused-error';
export { RedisUnavailableError } from './redis-unavailable-error';
export { RefreshTimedOutError } from './refresh-timed-out-error';
export { DeposedLeaderError } from './deposed-leader-error';

/** A message safe to show for any thrown value: errors keep their message, anything else is described. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return `non-error thrown: ${typeof error}`;
}
