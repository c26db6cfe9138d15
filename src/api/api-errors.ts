import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/database-unavailable';
import { ConflictError, describeError, NotFoundError, ProviderApiError, RedisUnavailableError, UserError } from '../errors';
import type { Logger } from '../logging/logger';

/** The body of every error the API answers with: one message a person can act on, naming the field when there is one. */
export interface ApiErrorBody {
  error: string;
}

interface SchemaIssue {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Turns a schema validation failure into one message naming the field, the way the provider types' own schemas do:
 * `body.config.endpoint: must match format "uri"`, `querystring.limit: must be <= 1000`.
 */
export function validationMessage(context: string, issues: readonly SchemaIssue[]): string {
  const issue = issues[0];
  if (!issue) return `${context}: invalid`;
  const path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean);
  const missing = issue.params.missingProperty;
  const additional = issue.params.additionalProperty;
  const field = [context, ...path, ...(typeof missing === 'string' ? [missing] : []), ...(typeof additional === 'string' ? [additional] : [])].join('.');
  if (typeof missing === 'string') return `${field}: is required`;
  if (typeof additional === 'string') return `${field}: is not a known field`;
  return `${field}: ${issue.message ?? 'is invalid'}`;
}

/** The answer while PostgreSQL is down or restarting: the same request succeeds once it is back. */
const DATABASE_UNAVAILABLE = 'the database is unavailable; try again shortly';

/** The status a thrown error answers with; 500 for anything that is not the requester's mistake. */
export function statusOf(error: unknown): number {
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  if (error instanceof UserError) return 400;
  // Met while checking a provider the request described (an endpoint that does not answer): the request's to fix.
  if (error instanceof ProviderApiError) return 422;
  if (error instanceof RedisUnavailableError) return 503;
  const status = (error as Partial<FastifyError> | null)?.statusCode;
  // Fastify's own 4xx (a body that is not JSON, too large, a wrong content type) are the requester's mistakes too.
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/**
 * The API's error handler: 4xx carry their message, anything else is logged with its stack and answered with a
 * message that tells nothing of the inside (no SQL, no paths, never a credential).
 */
export function errorHandler(logger: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    if (error.validation) {
      void reply.code(400).send({ error: validationMessage(error.validationContext ?? 'request', error.validation) } satisfies ApiErrorBody);
      return;
    }
    const status = statusOf(error);
    if (status < 500) {
      void reply.code(status).send({ error: error.message } satisfies ApiErrorBody);
      return;
    }
    if (error instanceof RedisUnavailableError) {
      logger.warn({ event: 'api.redis_unavailable', method: request.method, route: request.routeOptions.url, reason: describeError(error) }, error.message);
      void reply.code(503).send({ error: error.message } satisfies ApiErrorBody);
      return;
    }
    if (isDatabaseUnavailable(error)) {
      // An outage, not a fault of this code: one line with the driver's message says enough, a stack would not.
      logger.warn({ event: 'api.database_unavailable', method: request.method, route: request.routeOptions.url, reason: describeError(error) }, DATABASE_UNAVAILABLE);
      void reply.code(503).send({ error: DATABASE_UNAVAILABLE } satisfies ApiErrorBody);
      return;
    }
    logger.error({ event: 'api.failed', err: error, method: request.method, route: request.routeOptions.url }, 'API request failed');
    void reply.code(500).send({ error: 'internal error; the server log has the details' } satisfies ApiErrorBody);
  };
}
