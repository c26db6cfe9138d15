import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ConflictError, NotFoundError, RedisUnavailableError, ValidationError } from '../../errors';
import { Task } from '../../models';
import { validateAgainst } from '../../providers/provider-types';
import { OperationsQueue } from '../../queues/operations-queue';
import type { ApiContext } from '../api-context';
import { InventoryCatalog } from '../inventory/inventory-catalog';
import { errorResponses, IdParams } from '../schemas/common-schemas';
import { OperationBody, OperationParams, TaskListQuery, TaskView } from '../schemas/task-schemas';

/** Who asked, as the task records it. */
const REQUESTED_THROUGH_API = 'api';

/**
 * Operations on inventory objects, each a task: asked for (acknowledged at once with the task), run by the object's
 * provider worker in priority order, and followed through its row.
 */
export const taskRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { dataSource, store } = context;
  const catalog = InventoryCatalog.fromDataSource(dataSource);
  const queue = new OperationsQueue({ connection: context.redis, prefix: context.config.redisPrefix });
  const tasks = dataSource.getRepository(Task);
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
    const inventory = catalog.get(collection);
    const table = inventory.name;
    // Only objects (with a provider reference) are operated on; a link table's rows are not objects.
    if (!inventory.fieldsByName.has('emsRef')) throw new NotFoundError(`no operations on ${table}: its rows link objects, they are not objects`);
    const [object]: { providerId: string; emsRef: string; archived: boolean }[] = await dataSource.query(
      `SELECT provider_id::text AS "providerId", ems_ref AS "emsRef", archived_at IS NOT NULL AS archived FROM "${table}" WHERE id = $1`, [id],
    );
    if (!object) throw new NotFoundError(`no ${table} object ${id}`);
    const provider = await store.get(object.providerId);
    const type = store.typeOf(provider.type);
    const tableOf = (typeCollection: string): string | undefined =>
      (Object.hasOwn(type.inventory, typeCollection) ? dataSource.getMetadata(type.inventory[typeCollection].entity).tableName : undefined);
    const offered = Object.entries(type.operations ?? {}).filter(([, candidate]) => tableOf(candidate.collection) === table);
    const spec = offered.find(([operation]) => operation === name)?.[1];
    if (!spec) {
      const names = offered.map(([operation]) => operation).join(', ') || 'none';
      throw new NotFoundError(`no operation "${name}" on ${table} of provider type "${type.type}" (its operations there: ${names})`);
    }
    if (!provider.enabled) throw new ConflictError(`provider "${provider.name}" is disabled: enable it to run operations`);
    if (object.archived) throw new ConflictError(`${table} object ${id} is gone from its provider (archived)`);
    const parameters = request.body.parameters ?? {};
    const problem = validateAgainst(spec.parameters ?? { type: 'object', additionalProperties: false, properties: {} }, parameters, 'body.parameters');
    if (problem) throw new ValidationError(problem);

    const task = await tasks.save(tasks.create({
      providerId: provider.id, operation: name, inventory: table, objectId: id, objectRef: object.emsRef, parameters,
      requestedBy: REQUESTED_THROUGH_API, priority: spec.priority, timeoutSeconds: spec.timeoutSeconds, state: 'queued',
    }));
    try {
      await queue.add({ id: task.id, providerId: provider.id, priority: spec.priority });
    } catch (error: unknown) {
      // Never left waiting for a job that does not exist: the task says it was not queued.
      await tasks.update({ id: task.id }, { state: 'failed', finishedAt: new Date(), error: 'not queued: Redis was unavailable' });
      throw new RedisUnavailableError({ cause: error });
    }
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
  }, async (request) => {
    const { id } = request.params;
    const [, cancelled]: [unknown, number] = await dataSource.query(`UPDATE tasks SET state = 'cancelled', finished_at = now() WHERE id = $1 AND state = 'queued'`, [id]);
    const task = await taskOf(id);
    if (cancelled === 0) throw new ConflictError(`task ${id} is ${task.state}: only a queued task can be cancelled`);
    // Its job would find it cancelled and skip it; removed now, it does not wait in line for that.
    await queue.remove(task).catch(() => undefined);
    return taskView(task);
  });

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
