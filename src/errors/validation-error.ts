import { UserError } from './user-error';

/** Input that does not satisfy a schema; the message names the offending field. */
export class ValidationError extends UserError {}
