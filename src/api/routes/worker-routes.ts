import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Worker } from '../../models';
import { WorkerRegistry } from '../../workers/runtime/worker-registry';
import { STOP_REASONS } from '../../server/worker-stop-reasons';
import { findWorkers } from '../../queries/worker-list';
import type { ApiContext } from '../api-context';
import { errorResponses, IdParams } from '../schemas/common-schemas';
import { WorkerListQuery, WorkerView } from '../schemas/worker-schemas';

/** Stopped workers listed by default: long enough to see what just crashed or was replaced, short enough to stay a short list. */
const RECENTLY_STOPPED_MS = 3_600_000;

/** The fleet's worker processes: the live ones and those that stopped lately, or any by state, role and provider. */
export const workerRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { dataSource, store, logger } = context;
  const registry = new WorkerRegistry(dataSource, logger);
  app.addSchema(WorkerView);

  app.get('/workers', {
    schema: {
      tags: ['workers'], summary: 'worker processes, newest first: live ones and those stopped in the last hour, unless asked otherwise',
      querystring: WorkerListQuery, response: { 200: Type.Array(Type.Ref('Worker')), ...errorResponses },
    },
  }, async (request) => {
    const { status, role, all, limit } = request.query;
    const providerId = request.query.providerId === undefined ? undefined : (await store.get(request.query.providerId)).id;
    const workers = await findWorkers(dataSource, {
      statuses: status === undefined ? undefined : [status], stopped: all ? 'all' : { since: new Date(Date.now() - RECENTLY_STOPPED_MS) },
      role, providerId, limit,
    });
    return workers.map(workerView);
  });

  app.post('/workers/:id/restart', {
    schema: {
      tags: ['workers'], summary: 'restart a running worker: it stops at its next heartbeat, finishing or handing back its work, and the supervisor starts its successor',
      description: 'The successor starts once the worker has stopped, so a provider never has two; a worker that does not stop in time is killed. '
        + '409 when the worker is not running.',
      params: IdParams, response: { 202: Type.Ref('Worker'), ...errorResponses, 409: Type.Ref('Error') },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    await registry.requestStop(id, STOP_REASONS.operatorRestart);
    const [worker] = await findWorkers(dataSource, { ids: [id], stopped: 'all', limit: 1 });
    return reply.code(202).send(workerView(worker));
  });
};

function workerView(worker: Worker): WorkerView {
  return {
    id: worker.id, role: worker.role, providerId: worker.providerId, status: worker.status, stopReason: worker.stopReason, pid: worker.pid,
    host: worker.host, podName: worker.podName,
    queue: worker.queueName, startedAt: worker.startedAt?.toISOString() ?? null, stoppedAt: worker.stoppedAt?.toISOString() ?? null,
    lastHeartbeatAt: worker.lastHeartbeatAt?.toISOString() ?? null,
    rssBytes: worker.rssBytes === null ? null : Number(worker.rssBytes), cpuTimeMs: worker.cpuTimeMs === null ? null : Number(worker.cpuTimeMs),
  };
}
