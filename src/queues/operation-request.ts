import type { DataSource, EntityMetadata } from 'typeorm';
import { ConflictError, NotFoundError, RedisUnavailableError, ValidationError } from '../errors';
import { Task } from '../models';
import { collectionOfTable } from '../providers/collection-of-table';
import type { ProviderStore } from '../providers/provider-store';
import { validateAgainst } from '../providers/provider-types';
import type { OperationsQueue } from './operations-queue';

/** An operation asked of an inventory object, through the API or the CLI. */
export interface OperationAsk {
  /** The object's inventory table (`cloud_vms`) and row id. */
  table: string;
  objectId: string;
  operation: string;
  parameters: Readonly<Record<string, unknown>>;
  /** Who asks: the API token's name, or `cli`. */
  requestedBy: string;
  /** How the asker's interface names the parameters, in what a refusal says (`body.parameters`); `parameters` unless told. */
  parametersNamed?: string;
  /**
   * The parameters were typed as text (the CLI's `--param replicas=3`): a value whose property the schema types as a
   * number, an integer or a boolean is read as one.
   */
  parametersAsText?: boolean;
}

/** What asking needs: the stored objects and providers, and the operations queues. */
export interface OperationRequestContext {
  dataSource: DataSource;
  store: ProviderStore;
  queue: OperationsQueue;
}

/** Operations on nothing take no parameters: the schema an operation without `parameters` checks against. */
const NO_PARAMETERS = { type: 'object', additionalProperties: false, properties: {} } as const;

/**
 * Makes a task of an operation on an object and queues it: answered at once with the task (`queued`), whose row then
 * says how it went. What cannot run makes no task and throws a UserError saying why: an unknown table, object or
 * operation (NotFoundError), parameters the operation's schema refuses (ValidationError), a disabled provider or an
 * object gone from its provider (ConflictError). A task Redis could not take is recorded failed, never left waiting.
 */
export async function requestOperation(context: OperationRequestContext, ask: OperationAsk): Promise<Task> {
  const { dataSource, store, queue } = context;
  const { table, objectId, operation } = ask;
  objectTable(dataSource, table);
  // The object and its provider in one round trip: this is the whole wait of an operator asking.
  const [object]: { providerId: string; emsRef: string; archived: boolean; providerName: string; providerType: string; enabled: boolean }[] = await dataSource.query(
    `SELECT o.provider_id::text AS "providerId", o.ems_ref AS "emsRef", o.archived_at IS NOT NULL AS archived,
            p.name AS "providerName", p.type AS "providerType", p.enabled
       FROM "${table}" o JOIN providers p ON p.id = o.provider_id WHERE o.id = $1`, [objectId],
  );
  if (!object) throw new NotFoundError(`no ${table} object ${objectId}`);
  const type = store.typeOf(object.providerType);
  const collection = collectionOfTable(dataSource, type, table);
  const offered = Object.entries(type.operations ?? {}).filter(([, candidate]) => candidate.collection === collection);
  const spec = offered.find(([name]) => name === operation)?.[1];
  if (!spec) {
    const names = offered.map(([name]) => name).join(', ') || 'none';
    throw new NotFoundError(`no operation "${operation}" on ${table} of provider type "${type.type}" (its operations there: ${names})`);
  }
  if (!object.enabled) throw new ConflictError(`provider "${object.providerName}" is disabled: enable it to run operations`);
  if (object.archived) throw new ConflictError(`${table} object ${objectId} is gone from its provider (archived)`);
  const schema = spec.parameters ?? NO_PARAMETERS;
  const parameters = ask.parametersAsText ? readAsTyped(schema, ask.parameters) : { ...ask.parameters };
  const problem = validateAgainst(schema, parameters, ask.parametersNamed ?? 'parameters');
  if (problem) throw new ValidationError(problem);

  const tasks = dataSource.getRepository(Task);
  // One statement, not the repository's save (a transaction and the entity's bookkeeping, on every request).
  const task = tasks.create({
    providerId: object.providerId, operation, inventory: table, objectId, objectRef: object.emsRef, parameters, requestedBy: ask.requestedBy,
    priority: spec.priority, timeoutSeconds: spec.timeoutSeconds, state: 'queued', startedAt: null, finishedAt: null, inventoryShownAt: null, result: null, error: null,
  });
  const [inserted]: { id: string; createdAt: Date }[] = await dataSource.query(
    `INSERT INTO tasks (provider_id, operation, inventory, object_id, object_ref, parameters, requested_by, priority, timeout_seconds, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued') RETURNING id::text, created_at AS "createdAt"`,
    [task.providerId, operation, table, objectId, task.objectRef, JSON.stringify(parameters), task.requestedBy, task.priority, task.timeoutSeconds],
  );
  Object.assign(task, inserted);
  try {
    await queue.add({ id: task.id, providerId: task.providerId, priority: spec.priority });
  } catch (error: unknown) {
    const failed = { state: 'failed' as const, finishedAt: new Date(), error: 'not queued: Redis was unavailable' };
    await tasks.update({ id: task.id }, failed);
    throw new RedisUnavailableError({ cause: error });
  }
  return task;
}

/**
 * Cancels a task that has not started: it never runs (its job, if it still waits, is taken out of the queue). A task
 * that runs or ended cannot be: a ConflictError says which it is.
 */
export async function cancelTask(context: Pick<OperationRequestContext, 'dataSource' | 'queue'>, id: string): Promise<Task> {
  const { dataSource, queue } = context;
  const [, cancelled]: [unknown, number] = await dataSource.query(`UPDATE tasks SET state = 'cancelled', finished_at = now() WHERE id = $1 AND state = 'queued'`, [id]);
  const task = await dataSource.getRepository(Task).findOneBy({ id });
  if (!task) throw new NotFoundError(`no task ${id}`);
  if (cancelled === 0) throw new ConflictError(`task ${id} is ${task.state}: only a queued task can be cancelled`);
  // Its job would find it cancelled and skip it; removed now, it does not wait in line for that.
  await queue.remove(task).catch(() => undefined);
  return task;
}

/**
 * The row id of the object of `table` that `selector` names: its id, its provider reference or its name, of the
 * provider `providerId` when given (references and names are unique within a provider only). For the CLI, where
 * operators name objects as they know them.
 */
export async function findObjectId(dataSource: DataSource, table: string, selector: string, providerId?: string): Promise<string> {
  const hasName = objectTable(dataSource, table).columns.some((column) => column.databaseName === 'name');
  const named = `${/^\d{1,18}$/.test(selector) ? 'id = $1::bigint OR ' : ''}ems_ref = $1${hasName ? ' OR name = $1' : ''}`;
  const found: { id: string; providerId: string }[] = await dataSource.query(
    `SELECT id::text, provider_id::text AS "providerId" FROM "${table}" WHERE (${named}) AND ($2::bigint IS NULL OR provider_id = $2) LIMIT 10`,
    [selector, providerId ?? null],
  );
  if (found.length === 0) throw new NotFoundError(`no ${table} object with the id, reference${hasName ? ' or name' : ''} "${selector}"${providerId ? ` at provider ${providerId}` : ''}`);
  if (found.length > 1) {
    const providers = [...new Set(found.map((object) => object.providerId))].join(', ');
    throw new ValidationError(`"${selector}" names several ${table} objects (of providers ${providers}): name the provider (--provider), or give the object's id`);
  }
  return found[0].id;
}

/** Text values read as the numbers and booleans the schema's properties take; what does not read as one stays text (the schema refuses it). */
function readAsTyped(schema: Readonly<Record<string, unknown>>, parameters: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Readonly<Record<string, { type?: unknown }>>;
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => {
    const type = Object.hasOwn(properties, name) ? properties[name].type : undefined;
    if (typeof value !== 'string') return [name, value];
    if ((type === 'integer' || type === 'number') && value.trim() !== '' && Number.isFinite(Number(value))) return [name, Number(value)];
    if (type === 'boolean' && (value === 'true' || value === 'false')) return [name, value === 'true'];
    return [name, value];
  }));
}

/** The entity of an inventory table whose rows are objects (with a provider reference); a NotFoundError otherwise. */
function objectTable(dataSource: DataSource, table: string): EntityMetadata {
  const metadata = dataSource.entityMetadatas.find((candidate) => candidate.tableName === table);
  const columns = new Set(metadata?.columns.map((column) => column.databaseName));
  if (!metadata || !columns.has('provider_id')) throw new NotFoundError(`no inventory collection "${table}"`);
  // A link table's rows (vm <-> security group) are not objects: nothing acts on them.
  if (!columns.has('ems_ref')) throw new NotFoundError(`no operations on ${table}: its rows link objects, they are not objects`);
  return metadata;
}
