import { In, type DataSource, type EntityMetadata } from 'typeorm';
import { ConflictError, FleetError, NotFoundError, RedisUnavailableError, ValidationError } from '../errors';
import { Task } from '../models';
import { collectionOfTable } from '../providers/collection-of-table';
import type { ProviderStore } from '../providers/provider-store';
import { validateAgainst } from '../providers/provider-types';
import type { OperationSpec } from '../core/operations/provider-operations';
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
  const [recorded] = await recordTasks(context, ask.table, [prepare(context, ask)]);
  if (recorded instanceof Error) throw recorded;
  await queueTasks(context, [recorded]);
  return recorded;
}

/**
 * requestOperation for a server's many askers: the asks of a table that arrive while a batch of them is being
 * recorded are recorded together next, in one statement, and their tasks queued together. Operators' requests come
 * in bursts (a refresh that shows ten tasks done sends their ten askers on to their next operation at once); one
 * statement and one queue call per burst instead of one each is what keeps the last of a burst answered soon.
 */
export class OperationRequests {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly recording = new Set<string>();

  constructor(private readonly context: OperationRequestContext) {}

  /** As requestOperation. */
  async request(ask: OperationAsk): Promise<Task> {
    const prepared = prepare(this.context, ask);
    return new Promise((resolve, reject) => {
      const waiting = this.waiting.get(ask.table) ?? [];
      waiting.push({ ask: prepared, resolve, reject });
      this.waiting.set(ask.table, waiting);
      if (!this.recording.has(ask.table)) void this.record(ask.table);
    });
  }

  private async record(table: string): Promise<void> {
    const batch = (this.waiting.get(table) ?? []).splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.recording.add(table);
    let recorded: (Task | Error)[];
    try {
      recorded = await recordTasks(this.context, table, batch.map((each) => each.ask));
    } catch (error: unknown) {
      recorded = batch.map(() => asError(error));
    } finally {
      this.recording.delete(table);
    }
    // The next batch is recorded while this one's tasks are queued.
    void this.record(table);
    const tasks = recorded.filter((each): each is Task => !(each instanceof Error));
    const failed = await queueTasks(this.context, tasks).then(() => undefined, asError);
    batch.forEach((each, i) => {
      const outcome = recorded[i];
      if (outcome instanceof Error) each.reject(outcome);
      else if (failed) each.reject(failed);
      else each.resolve(outcome);
    });
  }
}

/** The most asks one statement records. */
const MAX_BATCH = 200;

/** An ask waiting in a batch, and its asker. */
interface Waiting {
  ask: PreparedAsk;
  resolve: (task: Task) => void;
  reject: (error: Error) => void;
}

/** An ask whose table and object id are known to be sound, with what each provider type would make of it. */
interface PreparedAsk {
  ask: OperationAsk;
  offers: ReadonlyMap<string, Offer>;
}

/** What a provider type that offers the operation on the table would queue: its spec, and the parameters as its schema reads them. */
interface Offer {
  spec: OperationSpec;
  parameters: Record<string, unknown>;
  /** Why the type's schema refuses the parameters; null: it accepts them. */
  problem: string | null;
}

/** The object an operation was asked of, and its provider, as the statement read them. */
interface ObjectOfAsk {
  providerId: string;
  emsRef: string;
  archived: boolean;
  providerName: string;
  providerType: string;
  enabled: boolean;
}

/**
 * Checks what can be checked before the object is read: the table (its name goes into the statement) and the id,
 * and the offers of the operation, by provider type: every type whose collection of the table declares it (the
 * object's type is known only once the object is read, in the same statement that inserts its task).
 */
function prepare(context: OperationRequestContext, ask: OperationAsk): PreparedAsk {
  const { dataSource, store } = context;
  objectTable(dataSource, ask.table);
  if (!/^[1-9]\d{0,17}$/.test(ask.objectId)) throw new NotFoundError(`no ${ask.table} object ${ask.objectId}`);
  const offers = new Map<string, Offer>();
  for (const type of store.typeNames()) {
    const providerType = store.typeOf(type);
    const spec = providerType.operations?.[ask.operation];
    if (!spec || spec.collection !== collectionOfTable(dataSource, providerType, ask.table)) continue;
    const schema = spec.parameters ?? NO_PARAMETERS;
    const parameters = ask.parametersAsText ? readAsTyped(schema, ask.parameters) : { ...ask.parameters };
    offers.set(type, { spec, parameters, problem: validateAgainst(schema, parameters, ask.parametersNamed ?? 'parameters') });
  }
  return { ask, offers };
}

/**
 * Records the tasks of asks on one table in one statement: each ask's object and provider are read, and its task
 * inserted where the object's provider type offers the operation with parameters its schema accepts, the provider
 * is enabled and the object not archived. Per ask, in order: its task (queued, not yet in its queue), or why none.
 */
async function recordTasks(context: OperationRequestContext, table: string, asks: readonly PreparedAsk[]): Promise<(Task | Error)[]> {
  const offers = asks.flatMap(({ offers: byType }, n) => [...byType].filter(([, offer]) => offer.problem === null).map(([type, offer]) => ({ n, type, offer })));
  const rows: (ObjectOfAsk & { n: number; id: string | null; createdAt: Date | null; priority: number | null; timeoutSeconds: number | null })[] = await context.dataSource.query(
    `WITH ask AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS ask(object_id, operation, requested_by, n)),
     object AS (
       SELECT ask.n, ask.object_id, ask.operation, ask.requested_by, o.provider_id, o.ems_ref, o.archived_at IS NOT NULL AS archived,
              p.name AS provider_name, p.type AS provider_type, p.enabled
         FROM ask JOIN "${table}" o ON o.id = ask.object_id JOIN providers p ON p.id = o.provider_id),
     offer AS (SELECT * FROM unnest($4::bigint[], $5::text[], $6::jsonb[], $7::int[], $8::int[]) AS offer(n, type, parameters, priority, timeout_seconds)),
     accepted AS (
       SELECT nextval(pg_get_serial_sequence('tasks', 'id')) AS id, matched.* FROM (
         SELECT object.*, offer.parameters, offer.priority, offer.timeout_seconds
           FROM object JOIN offer ON offer.n = object.n AND offer.type = object.provider_type WHERE object.enabled AND NOT object.archived
          ORDER BY object.n) matched),
     inserted AS (
       INSERT INTO tasks (id, provider_id, operation, inventory, object_id, object_ref, parameters, requested_by, priority, timeout_seconds, state)
       SELECT id, provider_id, operation, $9, object_id, ems_ref, parameters, requested_by, priority, timeout_seconds, 'queued' FROM accepted
       RETURNING id, created_at)
     SELECT object.n::int AS n, object.provider_id::text AS "providerId", object.ems_ref AS "emsRef", object.archived,
            object.provider_name AS "providerName", object.provider_type AS "providerType", object.enabled,
            inserted.id::text AS id, inserted.created_at AS "createdAt", accepted.priority, accepted.timeout_seconds AS "timeoutSeconds"
       FROM object LEFT JOIN accepted ON accepted.n = object.n LEFT JOIN inserted ON inserted.id = accepted.id`,
    [
      asks.map(({ ask }) => ask.objectId), asks.map(({ ask }) => ask.operation), asks.map(({ ask }) => ask.requestedBy),
      offers.map(({ n }) => n + 1), offers.map(({ type }) => type), offers.map(({ offer }) => JSON.stringify(offer.parameters)),
      offers.map(({ offer }) => offer.spec.priority), offers.map(({ offer }) => offer.spec.timeoutSeconds), table,
    ],
  );
  const byAsk = new Map(rows.map((row) => [row.n - 1, row]));
  const repository = context.dataSource.getRepository(Task);
  return asks.map(({ ask, offers: byType }, n) => {
    const found = byAsk.get(n);
    if (!found) return new NotFoundError(`no ${table} object ${ask.objectId}`);
    if (found.id === null || found.createdAt === null || found.priority === null || found.timeoutSeconds === null) return refusal(context, ask, found, byType);
    return repository.create({
      id: found.id, createdAt: found.createdAt, providerId: found.providerId, operation: ask.operation, inventory: table, objectId: ask.objectId,
      objectRef: found.emsRef, parameters: byType.get(found.providerType)?.parameters ?? {}, requestedBy: ask.requestedBy, priority: found.priority,
      timeoutSeconds: found.timeoutSeconds, state: 'queued', startedAt: null, finishedAt: null, inventoryShownAt: null, result: null, error: null,
    });
  });
}

/** Puts recorded tasks in their providers' queues, each provider's in one call; when Redis cannot take them, they are recorded failed. */
async function queueTasks(context: OperationRequestContext, tasks: readonly Task[]): Promise<void> {
  const byProvider = new Map<string, Task[]>();
  for (const task of tasks) {
    const queued = byProvider.get(task.providerId);
    if (queued) queued.push(task);
    else byProvider.set(task.providerId, [task]);
  }
  try {
    await Promise.all([...byProvider].map(([providerId, queued]) => context.queue.addAll(providerId, queued)));
  } catch (error: unknown) {
    const failed = { state: 'failed' as const, finishedAt: new Date(), error: 'not queued: Redis was unavailable' };
    await context.dataSource.getRepository(Task).update({ id: In(tasks.map((task) => task.id)) }, failed);
    throw new RedisUnavailableError({ cause: error });
  }
}

/** Why no task was made of an ask for an object that exists, in the order an operator would fix it. */
function refusal(context: OperationRequestContext, ask: OperationAsk, object: ObjectOfAsk, offers: ReadonlyMap<string, Offer>): Error {
  const { table, objectId, operation } = ask;
  const offer = offers.get(object.providerType);
  if (!offer) {
    const type = context.store.typeOf(object.providerType);
    const collection = collectionOfTable(context.dataSource, type, table);
    const names = Object.entries(type.operations ?? {}).filter(([, candidate]) => candidate.collection === collection).map(([name]) => name).join(', ') || 'none';
    return new NotFoundError(`no operation "${operation}" on ${table} of provider type "${type.type}" (its operations there: ${names})`);
  }
  if (!object.enabled) return new ConflictError(`provider "${object.providerName}" is disabled: enable it to run operations`);
  if (object.archived) return new ConflictError(`${table} object ${objectId} is gone from its provider (archived)`);
  if (offer.problem !== null) return new ValidationError(offer.problem);
  // Every condition of the insert held on the row read, and the insert ran in the same statement: not reached.
  return new FleetError(`the task of ${operation} on ${table} object ${objectId} was not recorded`);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
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
