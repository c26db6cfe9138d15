import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiContext } from './api-context';
import { errorHandler } from './api-errors';
import { bearerAuth } from './bearer-auth';
import { ApiMetrics } from './api-metrics';
import { API_TAGS, operationIdFor, withOptionalDefaults } from './openapi-document';
import { buildRequestValidator } from './request-validation';
import { ErrorBody } from './schemas/common-schemas';
import { eventRoutes } from './routes/event-routes';
import { healthRoutes } from './routes/health-routes';
import { inventoryRoutes } from './routes/inventory-routes';
import { metricRoutes } from './routes/metric-routes';
import { overviewRoutes } from './routes/overview-routes';
import { providerRoutes } from './routes/provider-routes';
import { providerTypeRoutes } from './routes/provider-type-routes';
import { queueRoutes } from './routes/queue-routes';
import { refreshRoutes } from './routes/refresh-routes';
import { taskRoutes } from './routes/task-routes';
import { workerRoutes } from './routes/worker-routes';

export interface ApiAppOptions {
  /** The built web UI (index.html and its assets); not served when absent. */
  uiDirectory?: string;
}

const NO_PARAMETERS = Type.Object({}, { additionalProperties: false });

/** Everything after this is the API proper, behind a token. */
export const API_PREFIX = '/api/v1';

/**
 * The fleet's HTTP API and web UI as one fastify app: routes validated and documented by their TypeBox schemas
 * (served as OpenAPI at /api/docs), every API route and /metrics behind a bearer token (see bearerAuth).
 */
export async function buildApiApp(context: ApiContext, options: ApiAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // One line per request would be most of the log; failures are logged by the error handler, the rest is in /metrics.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Fastify's declared type for this factory is ajv-compiler's, whose compiler takes a bare schema; at run time it
    // is called with the route definition ({ schema, httpPart, ... }), which is what ours takes.
    schemaController: { compilersFactory: { buildValidator: buildRequestValidator as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(errorHandler(context.logger));
  app.addSchema(ErrorBody);
  const metrics = new ApiMetrics(context);
  metrics.instrument(app);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'provider-fleet API', version: '1', description: 'Providers, their inventory, refreshes, events, metrics and workers.',
        license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      // Relative: every fleet server serves the same API, on whatever address it is reached by.
      servers: [{ url: '/', description: 'the fleet server that serves this document' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: API_TAGS,
    },
    transform: ({ schema, url, route }) => ({
      schema: { ...schema, operationId: operationIdFor(Array.isArray(route.method) ? String(route.method[0]) : route.method, url) },
      url,
    }),
    transformObject: (document) => ('openapiObject' in document ? withOptionalDefaults(document.openapiObject) : document.swaggerObject),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `schema${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', uiConfig: { persistAuthorization: true }, uiHooks: {} });
  app.decorateRequest('tokenName', undefined);
  app.addHook('onRequest', bearerAuth(context.tokens));
  await context.tokens.listen(context.logger);
  app.addHook('onClose', () => context.tokens.close());
  app.addHook('onRoute', (route) => {
    // A route that takes no query parameters refuses them, as every schema refuses unknown fields.
    if (route.url.startsWith(API_PREFIX) && !route.schema?.querystring) route.schema = { ...route.schema, querystring: NO_PARAMETERS };
  });
  await app.register(healthRoutes, { context, metrics });
  await app.register(async (api) => {
    await api.register(overviewRoutes, { context });
    await api.register(providerTypeRoutes, { context });
    await api.register(providerRoutes, { context });
    await api.register(refreshRoutes, { context });
    await api.register(eventRoutes, { context });
    await api.register(metricRoutes, { context });
    await api.register(workerRoutes, { context });
    await api.register(queueRoutes, { context });
    await api.register(inventoryRoutes, { context });
    await api.register(taskRoutes, { context });
  }, { prefix: API_PREFIX });

  if (options.uiDirectory && existsSync(options.uiDirectory)) {
    await app.register(fastifyStatic, { root: options.uiDirectory, prefix: '/', wildcard: false, decorateReply: true });
  }
  app.setNotFoundHandler((request, reply) => {
    // The UI routes in the browser: any other page path gets its index.html, API paths an honest 404.
    if (request.method === 'GET' && !request.url.startsWith('/api') && options.uiDirectory && existsSync(options.uiDirectory)) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  return app;
}
