import type { DataSource, EntityMetadata } from 'typeorm';
import { ConflictError, NotFoundError, RedisUnavailableError, ValidationError } from '../errors';
import { Task } from '../models';
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
  const [object]: { providerId: string; emsRef: string; archived: boolean }[] = await dataSource.query(
    `SELECT provider_id::text AS "providerId", ems_ref AS "emsRef", archived_at IS NOT NULL AS archived FROM "${table}" WHERE id = $1`, [objectId],
  );
  if (!object) throw new NotFoundError(`no ${table} object ${objectId}`);
  const provider = await store.get(object.providerId);
  const type = store.typeOf(provider.type);
  const tableOf = (collection: string): string | undefined =>
    (Object.hasOwn(type.inventory, collection) ? dataSource.getMetadata(type.inventory[collection].entity).tableName : undefined);
  const offered = Object.entries(type.operations ?? {}).filter(([, candidate]) => tableOf(candidate.collection) === table);
  const spec = offered.find(([name]) => name === operation)?.[1];
  if (!spec) {
    const names = offered.map(([name]) => name).join(', ') || 'none';
    throw new NotFoundError(`no operation "${operation}" on ${table} of provider type "${type.type}" (its operations there: ${names})`);
  }
  if (!provider.enabled) throw new ConflictError(`provider "${provider.name}" is disabled: enable it to run operations`);
  if (object.archived) throw new ConflictError(`${table} object ${objectId} is gone from its provider (archived)`);
  const problem = validateAgainst(spec.parameters ?? NO_PARAMETERS, ask.parameters, ask.parametersNamed ?? 'parameters');
  if (problem) throw new ValidationError(problem);

  const tasks = dataSource.getRepository(Task);
  const task = await tasks.save(tasks.create({
    providerId: provider.id, operation, inventory: table, objectId, objectRef: object.emsRef, parameters: { ...ask.parameters },
    requestedBy: ask.requestedBy, priority: spec.priority, timeoutSeconds: spec.timeoutSeconds, state: 'queued',
  }));
  try {
    await queue.add({ id: task.id, providerId: provider.id, priority: spec.priority });
  } catch (error: unknown) {
    const failed = { state: 'failed' as const, finishedAt: new Date(), error: 'not queued: Redis was unavailable' };
    await tasks.update({ id: task.id }, failed);
    throw new RedisUnavailableError({ cause: error });
  }
  return task;
}

/**
 * The row id of the object of `table` that `selector` names: its id, its provider reference or its name (which must
 * then name one object only). For the CLI, where operators name objects as they know them.
 */
export async function findObjectId(dataSource: DataSource, table: string, selector: string): Promise<string> {
  const hasName = objectTable(dataSource, table).columns.some((column) => column.databaseName === 'name');
  const found: { id: string }[] = await dataSource.query(
    `SELECT id::text FROM "${table}" WHERE ${/^\d+$/.test(selector) ? 'id = $1::bigint OR ' : ''}ems_ref = $1${hasName ? ' OR name = $1' : ''} LIMIT 3`, [selector],
  );
  if (found.length === 0) throw new NotFoundError(`no ${table} object with the id, reference${hasName ? ' or name' : ''} "${selector}"`);
  if (found.length > 1) throw new ValidationError(`"${selector}" names several ${table} objects: give its id or its reference`);
  return found[0].id;
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
