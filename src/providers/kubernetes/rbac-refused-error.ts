import { InvalidCredentialsError } from '../sdk';

/**
 * The API server knows the token but RBAC refused it one call (HTTP 403). Still refused credentials to whoever
 * checks them, but a refresh keeps going: only the collections that call fills are incomplete.
 */
export class RbacRefusedError extends InvalidCredentialsError {}
