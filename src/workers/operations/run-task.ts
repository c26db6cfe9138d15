import type { DataSource } from 'typeorm';
import { untilAborted } from '../../core/lifecycle/until-aborted';
import { describeError } from '../../errors';
import { childLogger, type Logger } from '../../logging/logger';
import type { AnyCollectionDefinition } from '../../core/inventory/inventory-definition';
import type { OperationRequest } from '../../core/operations/provider-operations';
import type { TaskState } from '../../models';
import type { AnyProvider } from '../../providers/provider';
import type { ProviderStore } from '../../providers/provider-store';
import type { RefreshQueue } from '../../queues/refresh-queue';
import { storedByTarget } from '../refresh/target-aliases';

export interface TaskRunContext {
  dataSource: DataSource;
  store: ProviderStore;
  refreshQueue: RefreshQueue;
  logger: Logger;
  /**
   * Told when a handler is still running ABANDONED_HANDLER_GRACE_MS after its task's deadline aborted it: it ignores
   * its signal and may go on acting on the provider, so its process is to be replaced.
   */
  onHandlerAbandoned(failure: Error): void;
}

/** Long enough for a handler that heeds its signal to wind up (a cancel sent to the provider, a socket closed). */
export const ABANDONED_HANDLER_GRACE_MS = 10_000;

/**
 * Runs one task, if it is still waiting (a cancelled one is not): to its end at the provider, within its deadline
 * (a handler that ignores the abort is left behind and reported, the task ends all the same). After a success its
 * object is refreshed; after a failure the provider's cleanup runs. Answers the state the task ended in.
 */
export async function runTask(context: TaskRunContext, taskId: string): Promise<TaskState> {
  const { dataSource, store } = context;
  const [[claimed]]: [ClaimedTask[], number] = await dataSource.query(
    `UPDATE tasks SET state = 'running', started_at = now() WHERE id = $1 AND state = 'queued'
     RETURNING id::text, provider_id::text AS "providerId", operation, object_ref AS "objectRef", parameters, timeout_seconds AS "timeoutSeconds"`,
    [taskId],
  );
  if (!claimed) {
    const [found]: { state: TaskState }[] = await dataSource.query('SELECT state FROM tasks WHERE id = $1', [taskId]);
    return found?.state ?? 'cancelled';
  }
  const logger = childLogger(context.logger, { taskId, operation: claimed.operation });
  const deadline = AbortSignal.timeout(claimed.timeoutSeconds * 1000);
  /** The provider and what it was asked, once the operation has been sent to it: its cleanup runs after a failure. */
  let started: { instance: AnyProvider; request: Omit<OperationRequest, 'signal'> } | undefined;
  try {
    const provider = await store.get(claimed.providerId);
    if (!provider.enabled) throw new Error(`provider "${provider.name}" is disabled`);
    const type = store.typeOf(provider.type);
    const spec = type.operations?.[claimed.operation];
    const instance = await untilAborted(store.ready(provider, logger), deadline);
    if (!spec || !instance.runOperation) throw new Error(`provider type "${type.type}" has no operation "${claimed.operation}"`);
    const alias = await storedAlias(dataSource, claimed.providerId, type.inventory[spec.collection], claimed.objectRef);
    const request = { ref: claimed.objectRef, parameters: claimed.parameters, ...(alias === undefined ? {} : { alias }) };
    started = { instance, request };
    const running = instance.runOperation(claimed.operation, { ...request, signal: deadline });
    watchAfterDeadline(context, running, deadline, `${claimed.operation} of ${claimed.objectRef} (task ${taskId})`);
    const result = await untilAborted(running, deadline);
    await finish(dataSource, taskId, 'succeeded', { result });
    logger.info({ event: 'task.succeeded' }, `${claimed.operation} of ${claimed.objectRef} succeeded`);
    // The object as the provider has it now; the provider's event may bring it sooner.
    await context.refreshQueue.queueRefresh(provider, { targets: [{ collection: spec.collection, ref: claimed.objectRef }], source: 'operation' })
      .catch((error: unknown) => logger.warn({ event: 'task.refresh_not_queued', err: error }, 'could not ask for a refresh of the object'));
    return 'succeeded';
  } catch (failure: unknown) {
    const timedOut = deadline.aborted;
    const cleanup = started?.instance.cleanUpOperation
      ? await started.instance.cleanUpOperation(claimed.operation, started.request, failure)
        .then(() => '', (error: unknown) => `; its cleanup failed too: ${describeError(error)}`)
      : '';
    const error = (timedOut ? `timed out after ${claimed.timeoutSeconds} s` : describeError(failure)) + cleanup;
    const state = timedOut ? 'timed_out' : 'failed';
    await finish(dataSource, taskId, state, { error });
    logger.warn({ event: `task.${state}`, error }, `${claimed.operation} of ${claimed.objectRef} ${timedOut ? 'timed out' : 'failed'}: ${error}`);
    return state;
  }
}

/**
 * Once the deadline aborts the handler, gives it the grace period to end, and reports it abandoned if it has not:
 * a handler that ignores its signal cannot be stopped from outside but by ending its process.
 */
function watchAfterDeadline(context: TaskRunContext, running: Promise<unknown>, deadline: AbortSignal, what: string): void {
  let settled = false;
  running.then(() => { settled = true; }, () => { settled = true; });
  deadline.addEventListener('abort', () => {
    setTimeout(() => {
      if (!settled) context.onHandlerAbandoned(new Error(`the handler of ${what} still ran ${ABANDONED_HANDLER_GRACE_MS / 1000} s after its deadline aborted it`));
    }, ABANDONED_HANDLER_GRACE_MS).unref();
  }, { once: true });
}

/**
 * The stored object's target alias, where its collection declares one: a provider that addresses objects by name
 * (Kubernetes, by namespace and name) cannot act on the reference alone (a uid), and the inventory has the name.
 */
async function storedAlias(
  dataSource: DataSource, providerId: string, definition: AnyCollectionDefinition | undefined, ref: string,
): Promise<string | undefined> {
  if (!definition?.targetAlias) return undefined;
  const stored = await storedByTarget(dataSource, providerId, definition, [ref]);
  return stored.find((row) => row.emsRef === ref)?.alias ?? undefined;
}

/** What running a task needs of its row. */
interface ClaimedTask {
  id: string;
  providerId: string;
  operation: string;
  objectRef: string;
  parameters: Record<string, unknown>;
  timeoutSeconds: number;
}

async function finish(dataSource: DataSource, taskId: string, state: TaskState, end: { result?: unknown; error?: string }): Promise<void> {
  await dataSource.query(
    `UPDATE tasks SET state = $2, finished_at = now(), result = $3, error = $4 WHERE id = $1 AND state = 'running'`,
    [taskId, state, end.result === undefined ? null : JSON.stringify(end.result), end.error ?? null],
  );
}
