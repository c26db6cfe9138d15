import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../errors';
import { Task } from '../../models';
import { whileRedisAnswers } from '../../queues/fail-fast-redis';
import { cancelTask, OperationRequests } from '../../queues/operation-request';
import { OperationsQueue } from '../../queues/operations-queue';
import type { ApiContext } from '../api-context';
import { errorResponses, IdParams } from '../schemas/common-schemas';
import { OperationBody, OperationParams, TaskListQuery, TaskView } from '../schemas/task-schemas';

/** Who asked, had no token named the asker: never behind bearerAuth, but Fastify types its decorations optional. */
const REQUESTED_THROUGH_API = 'api';

/**
 * Operations on inventory objects, each a task: asked for (acknowledged at once with the task), run by the object's
 * provider worker in priority order, and followed through its row.
 */
export const taskRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { dataSource, store } = context;
  const queue = new OperationsQueue({ connection: context.redis, prefix: context.config.redisPrefix });
  const tasks = dataSource.getRepository(Task);
  const requests = new OperationRequests({ dataSource, store, queue });
  app.addHook('onClose', () => queue.close());
  app.addSchema(TaskView);
  const tags = ['tasks'];
  const conflict = { 409: Type.Ref('Error') };

  app.post('/inventory/:collection/:id/operations/:name', {
    schema: {
      tags, summary: 'run an operation on an object: answered at once with its task, whose state then says how it went',
      description: 'The operations of an object are those its provider\'s type declares for its collection (GET /provider-types/{type}). '
        + '404: no such object or operation; 400: parameters the operation\'s schema refuses; 409: the provider is disabled or the object gone.',
      params: OperationParams, body: OperationBody, response: { 202: Type.Ref('Task'), ...errorResponses, ...conflict },
    },
  }, async (request, reply) => {
    const { collection, id, name } = request.params;
    // While Redis is away, nothing is recorded: a 503 at once (a queue made meanwhile would wait for Redis to return).
    const task = await whileRedisAnswers(context.redis, () => requests.request({
      table: collection, objectId: id, operation: name, parameters: request.body.parameters ?? {},
      requestedBy: request.tokenName ?? REQUESTED_THROUGH_API, parametersNamed: 'body.parameters',
    }));
    return reply.code(202).send(taskView(task));
  });

  app.get('/tasks', {
    schema: { tags, summary: 'tasks, newest first', querystring: TaskListQuery, response: { 200: Type.Array(Type.Ref('Task')), ...errorResponses } },
  }, async (request) => {
    const { providerId, state, limit } = request.query;
    const found = await tasks.find({ where: { ...(providerId ? { providerId } : {}), ...(state ? { state } : {}) }, order: { id: 'DESC' }, take: limit });
    return found.map(taskView);
  });

  app.get('/tasks/:id', {
    schema: { tags, summary: 'one task: its state, and its result or error once it ended', params: IdParams, response: { 200: Type.Ref('Task'), ...errorResponses } },
  }, async (request) => taskView(await taskOf(request.params.id)));

  app.post('/tasks/:id/cancel', {
    schema: {
      tags, summary: 'cancel a task that has not started: 409 once it runs or ended', params: IdParams,
      response: { 200: Type.Ref('Task'), ...errorResponses, ...conflict },
    },
  }, async (request) => taskView(await cancelTask({ dataSource, queue }, request.params.id)));

  async function taskOf(id: string): Promise<Task> {
    const task = await tasks.findOneBy({ id });
    if (!task) throw new NotFoundError(`no task ${id}`);
    return task;
  }
};

function taskView(task: Task): TaskView {
  return {
    id: task.id, providerId: task.providerId, operation: task.operation, collection: task.inventory, objectId: task.objectId, objectRef: task.objectRef,
    parameters: task.parameters, requestedBy: task.requestedBy, priority: task.priority, timeoutSeconds: task.timeoutSeconds, state: task.state,
    createdAt: task.createdAt.toISOString(), startedAt: task.startedAt?.toISOString() ?? null, finishedAt: task.finishedAt?.toISOString() ?? null,
    inventoryShownAt: task.inventoryShownAt?.toISOString() ?? null,
    result: task.result, error: task.error,
  };
}
