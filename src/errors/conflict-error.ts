import { UserError } from './user-error';

/** The request clashes with what already exists (a duplicate name, a provider that is busy). */
export class ConflictError extends UserError {}
