import { QueryFailedError } from 'typeorm';

/**
 * SQLSTATEs of a server that cannot serve now: connection exceptions (class 08), a server shutting down, crashed or
 * starting up (57P01-57P03), no connection slot left (53300).
 */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/;
/** Socket errors of a connection to the server that was refused, cut or never made. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** What the pg driver says, without a code, of a connection the server closed or that never came. */
const DRIVER_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

/** Socket errors that mean nothing answered at all: the server's host, or the way to it, is gone. */
const SILENT_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
/** What the pg driver says of a connection attempt that nothing answered. */
const SILENT_DRIVER_MESSAGES = /^timeout exceeded when trying to connect/;

/**
 * Whether a database call failed because PostgreSQL could not be reached or could not serve (down, restarting, out
 * of connections), rather than because of the query: the same call succeeds once the server is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const current of errorChain(error)) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || NETWORK_CODES.has(code))) return true;
    if (DRIVER_MESSAGES.test(current.message)) return true;
  }
  return false;
}

/**
 * Whether a database call failed without any answer: no server, host or router said anything (a cut network, a
 * vanished host). A refused or closed connection, or a server that says it restarts, is an answer: the way to the
 * database works, and the server will be back for everyone at once.
 */
export function isDatabaseSilent(error: unknown): boolean {
  for (const current of errorChain(error)) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string' && SILENT_CODES.has(code)) return true;
    if (SILENT_DRIVER_MESSAGES.test(current.message)) return true;
  }
  return false;
}

/** The error and what it wraps: its causes, TypeORM's driver error, the attempts of an AggregateError (one per address tried). */
function* errorChain(error: unknown): Generator<Error> {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (!(current instanceof Error) || seen.has(current)) continue;
    seen.add(current);
    yield current;
    if (current instanceof QueryFailedError) pending.push(current.driverError);
    if (current instanceof AggregateError) pending.push(...(current.errors as unknown[]));
    pending.push(current.cause);
  }
}
