import { describeError, ProviderApiError, type Logger } from '../sdk';
import type { ObjectUpdate } from './property-collector-answers';
import type { VimClient } from './vim-client';
import { VimFaultError } from './vim-fault-error';
import { field, fieldText, isDataObject, isManagedObjectReference, sameObject, type DataObject, type ManagedObjectReference, type PropertyValue } from './vim-values';

/** The TaskInfo properties followed: its state, the fault it ended with, and whether it can still be cancelled. */
const FOLLOWED_PATHS = ['info.state', 'info.error', 'info.cancelable'];
/**
 * How long one WaitForUpdatesEx waits for the task to change. A change or the caller's abort ends the wait at once,
 * so this only bounds how long a session that ended under the wait (taking the filter with it) goes unnoticed.
 */
const WAIT_SECONDS = 30;
/** The deadline of the calls made after an abort (CancelTask, DestroyPropertyFilter): the caller's signal is spent. */
const AFTER_ABORT_TIMEOUT_MS = 5_000;
/** The longest fault text kept in a message, as for the faults of calls. */
const MAX_MESSAGE_CHARS = 500;

/** What the followed properties said last. */
interface TaskProgress {
  state: string | undefined;
  error: PropertyValue | undefined;
  cancelable: boolean | undefined;
}

/**
 * Follows a vSphere task (as a task method such as PowerOnVM_Task returned it) to its end: a PropertyCollector
 * filter on its TaskInfo's state and error, and WaitForUpdatesEx until the state is `success` or `error`. vCenter
 * pushes each change, so the end is seen as it happens, without polling. A task that ends in `error` throws a
 * VimFaultError naming the fault, in vCenter's words. When `signal` aborts, the task is cancelled where vCenter says
 * it can be (CancelTask; best effort, as it may have ended meanwhile), and the wait ends with the abort's error.
 * `call` names the work in messages (`PowerOnVM_Task of vm-42`).
 */
export async function followTask(
  client: VimClient, task: ManagedObjectReference, call: string, options: { signal: AbortSignal; logger: Logger },
): Promise<void> {
  const { signal, logger } = options;
  const progress: TaskProgress = { state: undefined, error: undefined, cancelable: undefined };
  let filter: ManagedObjectReference | undefined;
  let session: string | undefined;
  let version = '';
  try {
    while (!ended(progress)) {
      // A filter lives in the session that made it: after the connection had to log in again, a new one is made,
      // whose first answer (from version '') holds the task's whole state again.
      if (filter === undefined || client.connection.session?.key !== session) {
        filter = await client.createFilter({ propSet: [{ type: 'Task', paths: FOLLOWED_PATHS }], objectSet: [{ obj: task }] }, false, { signal });
        session = client.connection.session?.key;
        version = '';
      }
      let answer;
      try {
        answer = await client.waitForUpdatesEx(version, WAIT_SECONDS, { signal });
      } catch (error: unknown) {
        // vCenter refuses the old session's version in the new one; the next round makes a filter there.
        if (client.connection.session?.key !== session && !signal.aborted) continue;
        throw error;
      }
      if (answer === null) continue;
      version = answer.version;
      for (const update of answer.filters.flatMap((each) => each.objects)) if (sameObject(update.obj, task)) apply(progress, update, task, call);
    }
  } catch (error: unknown) {
    if (signal.aborted) await cancel(client, task, progress, call, logger);
    throw error;
  } finally {
    // Best effort: the filter ends with its session anyway.
    if (filter !== undefined) await client.destroyPropertyFilter(filter, { timeoutMs: AFTER_ABORT_TIMEOUT_MS }).catch(() => undefined);
  }
  if (progress.state === 'error') {
    const fault = field(progress.error, 'fault');
    throw new VimFaultError(failureMessage(task, call, progress.error), isDataObject(fault) ? fault.type ?? 'unknown fault' : 'unknown fault');
  }
}

function ended(progress: TaskProgress): boolean {
  return progress.state === 'success' || progress.state === 'error';
}

function apply(progress: TaskProgress, update: ObjectUpdate, task: ManagedObjectReference, call: string): void {
  // vCenter forgets ended tasks after a while; one it no longer has cannot tell how it ended.
  if (update.kind === 'leave' || update.missing.some((missing) => missing.faultType === 'ManagedObjectNotFound')) {
    throw new ProviderApiError(`${call}: vCenter no longer knows its task ${task.value}; whether it succeeded is unknown`);
  }
  for (const change of update.changes) {
    if (change.name === 'info.state') progress.state = typeof change.value === 'string' ? change.value : undefined;
    else if (change.name === 'info.error') progress.error = change.value;
    else if (change.name === 'info.cancelable') progress.cancelable = change.value === true;
  }
}

/** Cancels a task that has not ended and that vCenter has not said is uncancelable; a refusal is only logged. */
async function cancel(client: VimClient, task: ManagedObjectReference, progress: TaskProgress, call: string, logger: Logger): Promise<void> {
  if (ended(progress) || progress.cancelable === false) return;
  try {
    await client.cancelTask(task, { timeoutMs: AFTER_ABORT_TIMEOUT_MS });
    logger.info({ event: 'vmware.task_cancelled', task: task.value }, `${call}: aborted; its vCenter task ${task.value} was asked to cancel`);
  } catch (error: unknown) {
    logger.warn({ event: 'vmware.task_not_cancelled', task: task.value, error: describeError(error) }, `${call}: aborted, but its vCenter task ${task.value} could not be cancelled`);
  }
}

/**
 * The task's fault in vCenter's words: its localized message, the fault's type, and the fault's plain fields (an
 * InvalidPowerState's requested and existing states), which say what a generic message does not.
 */
function failureMessage(task: ManagedObjectReference, call: string, error: PropertyValue | undefined): string {
  const fault = field(error, 'fault');
  const type = isDataObject(fault) ? fault.type ?? 'unknown fault' : 'unknown fault';
  const localized = fieldText(error, 'localizedMessage')?.trim() ?? '';
  // vcsim writes its own name of the fault's type in place of a message ("*types.InvalidPowerState"): no words of its own.
  const worded = localized !== '' && localized.replace(/^\*?(?:types\.)?/, '') !== type;
  const facts = [worded ? type : '', (isDataObject(fault) ? plainFields(fault) : []).join(', ')].filter((fact) => fact !== '').join('; ');
  const words = `${worded ? localized : type}${facts === '' ? '' : ` (${facts})`}`;
  return `${call} failed at vCenter (task ${task.value}): ${words.slice(0, MAX_MESSAGE_CHARS)}`;
}

/** A fault's fields that are one value of text, a number, a flag or a reference, as `name value`. */
function plainFields(fault: DataObject): string[] {
  const facts: string[] = [];
  for (const [name, values] of fault.fields) {
    const [value] = values;
    if (values.length !== 1 || value === undefined) continue;
    if (isManagedObjectReference(value)) facts.push(`${name} ${value.value}`);
    else if (typeof value !== 'object') facts.push(`${name} ${String(value)}`);
  }
  return facts;
}
