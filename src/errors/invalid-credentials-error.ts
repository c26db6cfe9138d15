import { UserError } from './user-error';

/** The provider refused the credentials. The message never repeats them. */
export class InvalidCredentialsError extends UserError {
  constructor(message = 'invalid credentials', options?: { cause?: unknown }) {
    super(message, options);
  }
}
