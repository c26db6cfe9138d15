import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LessThan, MoreThan } from 'typeorm';
import { NotFoundError } from '../../errors';
import { InventoryChange, RefreshRun } from '../../models';
import { whileRedisAnswers } from '../../queues/fail-fast-redis';
import type { RefreshJobStatus } from '../../queues/refresh-queue';
import type { ApiContext } from '../api-context';
import { pageOf } from '../page';
import { errorResponses, Id, IdParams, ProviderParams } from '../schemas/common-schemas';
import {
  ChangeView, PageQuery, RefreshAccepted, RefreshIdParams, RefreshRequestBody, RefreshRunView, RefreshStatusView,
} from '../schemas/refresh-schemas';

/** Refreshes on demand (the UI's Refresh button), their live status, and the history of runs with what they changed. */
export const refreshRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { store, refreshQueue, dataSource, redis } = context;
  const tags = ['refreshes'];
  app.addSchema(RefreshStatusView);
  app.addSchema(RefreshRunView);

  app.post('/providers/:provider/refresh', {
    schema: {
      tags, summary: 'request a refresh, full or of some objects; merged with requests already waiting',
      params: ProviderParams, body: RefreshRequestBody, response: { 202: RefreshAccepted, ...errorResponses },
    },
    // No body at all is a full refresh, the Refresh button's request.
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request, reply) => {
    // Accepted (202) only once Redis holds the request; while Redis is away, refused at once (503), never queued for later.
    const refresh = { targets: request.body.targets ?? [], source: 'user' as const };
    const { jobId, providerId } = await whileRedisAnswers(redis, () => refreshQueue.queueRefresh(request.params.provider, refresh));
    return reply.code(202).send({ refreshId: jobId, providerId });
  });

  app.get('/refreshes/:refreshId', {
    schema: {
      tags, summary: 'a requested refresh: queued, running (phase and objects built so far), done (its outcome) or failed',
      params: RefreshIdParams, response: { 200: Type.Ref('RefreshStatus'), ...errorResponses },
    },
  }, async (request) => {
    const { refreshId } = request.params;
    const providerId = refreshId.split('-')[1];
    // The provider first: no queue is opened for an id that names none.
    await store.get(providerId);
    const status = await whileRedisAnswers(redis, () => refreshQueue.status(refreshId));
    if (!status) throw new NotFoundError(`no refresh "${refreshId}" (finished refreshes are kept an hour; the provider's refresh runs keep the rest)`);
    return statusView(status);
  });

  app.get('/providers/:provider/refresh-runs', {
    schema: {
      tags, summary: 'the provider\'s refresh runs, newest first', params: ProviderParams, querystring: PageQuery,
      response: { 200: Type.Object({ items: Type.Array(Type.Ref('RefreshRun')), next: Type.Union([Id, Type.Null()]) }), ...errorResponses },
    },
  }, async (request) => {
    const provider = await store.get(request.params.provider);
    const { limit, after } = request.query;
    const runs = await dataSource.getRepository(RefreshRun).find({
      where: { providerId: provider.id, ...(after ? { id: LessThan(after) } : {}) }, order: { id: 'DESC' }, take: limit + 1,
    });
    return pageOf(runs, limit, runView, (run) => run.id);
  });

  app.get('/refresh-runs/:id', {
    schema: { tags, summary: 'one refresh run', params: IdParams, response: { 200: Type.Ref('RefreshRun'), ...errorResponses } },
  }, async (request) => runView(await findRun(request.params.id)));

  app.get('/refresh-runs/:id/changes', {
    schema: {
      tags, summary: 'what one refresh run changed: objects created, updated (with the fields), deleted or archived',
      params: IdParams, querystring: PageQuery,
      response: { 200: Type.Object({ items: Type.Array(ChangeView), next: Type.Union([Id, Type.Null()]) }), ...errorResponses },
    },
  }, async (request) => {
    const run = await findRun(request.params.id);
    const { limit, after } = request.query;
    const changes = await dataSource.getRepository(InventoryChange).find({
      where: { refreshRunId: run.id, ...(after ? { ordinal: MoreThan(Number(after)) } : {}) }, order: { ordinal: 'ASC' }, take: limit + 1,
    });
    const id = (c: InventoryChange): string => String(c.ordinal);
    return pageOf(changes, limit, (c): ChangeView => ({ id: id(c), collection: c.collection, ref: c.ref, kind: c.kind, changedFields: c.changedFields }), id);
  });

  async function findRun(id: string): Promise<RefreshRun> {
    const run = await dataSource.getRepository(RefreshRun).findOneBy({ id });
    if (!run) throw new NotFoundError(`no refresh run ${id}`);
    return run;
  }
};

function runView(run: RefreshRun): RefreshRunView {
  return {
    id: run.id, providerId: run.providerId, kind: run.kind, source: run.source, status: run.status, targets: run.targets,
    startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null,
    durationsMs: { collect: run.collectMs, parse: run.parseMs, persist: run.persistMs }, stats: run.stats, error: run.error,
  };
}

function statusView(status: RefreshJobStatus): RefreshStatusView {
  const outcome = status.result?.outcome ?? null;
  return {
    refreshId: status.jobId, providerId: status.providerId, state: status.state, progress: status.progress,
    refreshRunId: outcome?.refreshRunId ?? null,
    outcome: outcome ? { status: outcome.status, scope: outcome.scope, writes: outcome.writes, error: outcome.error, stats: outcome.stats } : null,
    failedReason: status.failedReason, requestedAt: status.requestedAt.toISOString(), finishedAt: status.finishedAt?.toISOString() ?? null,
  };
}
