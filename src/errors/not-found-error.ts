import { UserError } from './user-error';

/** Something the user named does not exist. */
export class NotFoundError extends UserError {}
