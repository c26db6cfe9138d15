import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { registerAdminRoutes } from './admin-routes';
import type { DemoActivity } from './activity';
import type { DemoCloudCredentials } from './credentials';
import type { DemoEventLog } from './event-log';
import type { FaultSwitches } from './faults';
import { HttpError } from './http-error';
import { InvalidInputError } from './invalid-input-error';
import type { DemoMetricsService } from './metrics-service';
import type { DemoCloudState } from './state';
import { registerV1Routes } from './v1-routes';

export interface DemoCloudServerOptions {
  state: DemoCloudState;
  events: DemoEventLog;
  metrics: DemoMetricsService;
  activity: DemoActivity;
  faults: FaultSwitches;
  credentials: DemoCloudCredentials;
  /** Fastify's request logging; silent when absent. */
  logger?: FastifyBaseLogger;
}

/**
 * The simulator's HTTP app, not yet listening (so tests can also use `inject`). Every answer is JSON, errors
 * included: `{ "error": message }`.
 */
export function buildDemoCloudServer(options: DemoCloudServerOptions): FastifyInstance {
  const app = options.logger ? Fastify({ loggerInstance: options.logger }) : Fastify({ logger: false });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = statusOf(error);
    if (status >= 500 && !(error instanceof HttpError)) request.log.error({ err: error }, 'demo-cloud.request_failed');
    return reply.status(status).send({ error: error.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'not found' }));

  registerV1Routes(app, options);
  registerAdminRoutes(app, options);
  return app;
}

function statusOf(error: FastifyError): number {
  if (error instanceof HttpError) return error.statusCode;
  if (error instanceof InvalidInputError) return 400;
  // Fastify's own client errors (a body that is not JSON, too large) carry their status.
  const status = error.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) return status;
  return 500;
}
