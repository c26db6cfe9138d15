import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { describeError, InvalidCredentialsError, ProviderConstructionError, UserError } from '../../errors';
import { whileRedisAnswers } from '../../queues/fail-fast-redis';
import { removeProvider } from '../../server/provider-removal';
import type { ApiContext } from '../api-context';
import { providerView } from '../provider-view';
import { errorResponses, ProviderParams } from '../schemas/common-schemas';
import { ProviderCreateBody, ProviderCreateQuery, ProviderUpdateBody, ProviderView, VerifyResult } from '../schemas/provider-schemas';

/** Providers: list, show, create (verified first), update, delete, and the credentials check before and after saving. */
export const providerRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { store } = context;
  app.addSchema(ProviderView);
  const tags = ['providers'];
  const conflict = { 409: Type.Ref('Error') };

  app.get('/providers', {
    schema: { tags, summary: 'list providers with their status, last refresh and last error', response: { 200: Type.Array(Type.Ref('Provider')), ...errorResponses } },
  }, async () => (await store.list()).map(providerView));

  app.get('/providers/:provider', {
    schema: { tags, summary: 'one provider, by id or name (never its credentials)', params: ProviderParams, response: { 200: Type.Ref('Provider'), ...errorResponses } },
  }, async (request) => providerView(await store.get(request.params.provider)));

  app.post('/providers', {
    schema: {
      tags, summary: 'add a provider: validated by its type\'s schemas and its credentials verified before it is saved',
      body: ProviderCreateBody, querystring: ProviderCreateQuery, response: { 201: Type.Ref('Provider'), ...errorResponses, ...conflict },
    },
  }, async (request, reply) => {
    const provider = await store.create(request.body, { verify: request.query.verify });
    return reply.code(201).send(providerView(provider));
  });

  app.patch('/providers/:provider', {
    schema: {
      tags, summary: 'change a provider: config is merged, credentials replaced; verified again when either changes',
      params: ProviderParams, body: ProviderUpdateBody, querystring: ProviderCreateQuery, response: { 200: Type.Ref('Provider'), ...errorResponses, ...conflict },
    },
  }, async (request) => providerView(await store.update(request.params.provider, request.body, { verify: request.query.verify })));

  // While Redis is away, refused before anything is deleted: the provider's queues go with it.
  app.delete('/providers/:provider', {
    schema: { tags, summary: 'delete a provider with its inventory, history, events and queue', params: ProviderParams, response: { 200: Type.Ref('Provider'), ...errorResponses } },
  }, async (request) => {
    const queues = { store, queue: context.refreshQueue, eventQueue: context.eventQueue };
    return providerView(await whileRedisAnswers(context.redis, () => removeProvider(queues, request.params.provider)));
  });

  app.post('/providers/verify', {
    schema: {
      tags, summary: 'check a provider that is not saved yet (the add-provider form\'s Validate): valid, or why not',
      body: ProviderCreateBody, response: { 200: VerifyResult, ...errorResponses },
    },
  }, async (request) => verdict(() => store.verify(request.body)));

  app.post('/providers/:provider/verify', {
    schema: {
      tags, summary: 'check a saved provider\'s stored credentials against it', params: ProviderParams, response: { 200: VerifyResult, ...errorResponses },
    },
  }, async (request) => {
    // An unknown provider is a 404, not a verdict.
    const provider = await store.get(request.params.provider);
    return verdict(() => store.verifySaved(provider.id, context.logger));
  });
};

/**
 * The outcome of a credentials check as an answer: valid, or the reason the provider refused or could not be
 * reached. Input that fails the type's schemas is still a 400: the request, not the provider, is wrong.
 */
async function verdict(check: () => Promise<unknown>): Promise<VerifyResult> {
  try {
    await check();
    return { valid: true };
  } catch (error: unknown) {
    if (error instanceof InvalidCredentialsError) return { valid: false, message: error.message };
    // The provider's type, not the provider, failed: reaching the provider was never tried.
    if (error instanceof ProviderConstructionError) return { valid: false, message: error.message };
    if (error instanceof UserError) throw error;
    return { valid: false, message: `the provider could not be reached: ${describeError(error)}` };
  }
}
