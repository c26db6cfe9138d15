import { FleetError } from './fleet-error';

/** A mistake in what a user asked for: shown to them as is (a 4xx in the API), never retried. */
export class UserError extends FleetError {}
