import { useState } from 'react';
import { asError } from '../api/api-error';
import type { OperationBody, ProviderOperation, Task } from '../api/api-types';
import { useAuth } from '../auth/auth-context';
import { ErrorBanner } from '../components/error-banner';
import { ConfirmOperation } from './confirm-operation';
import { OperationForm } from './operation-form';
import { TaskProgress } from './task-progress';

interface ObjectOperationsProps {
  /** The object's inventory collection (table) and id, as in its page's address. */
  collection: string;
  objectId: string;
  /** The object as people name it (`VM web-1`). */
  objectTitle: string;
  /** The operations its provider's type offers on its collection. */
  operations: readonly ProviderOperation[];
  /** An operation's outcome shows in the inventory: the page reads the object again. */
  onInventoryShown: () => void;
}

/** An operation on its way to be asked for: its form is open, or its confirmation is asked with these parameters. */
interface Pending {
  operation: ProviderOperation;
  confirming: { parameters: Record<string, unknown> } | null;
}

/**
 * A button per operation. One with parameters opens its form first; a destructive one asks for confirmation before
 * it is sent. The task asked for is then followed live. A refused request (400: parameters; 409: a disabled provider)
 * is shown and leaves the form as it was, so nothing typed is lost.
 */
export function ObjectOperations({ collection, objectId, objectTitle, operations, onInventoryShown }: ObjectOperationsProps) {
  const { api } = useAuth();
  const [pending, setPending] = useState<Pending | null>(null);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<{ title: string; error: Error } | null>(null);
  const [asked, setAsked] = useState<{ taskId: string; title: string } | null>(null);
  if (operations.length === 0) return null;

  const send = async (operation: ProviderOperation, parameters: Record<string, unknown>): Promise<void> => {
    setSending(true);
    setFailure(null);
    try {
      const path = `/inventory/${encodeURIComponent(collection)}/${encodeURIComponent(objectId)}/operations/${encodeURIComponent(operation.name)}`;
      const task = await api.post<Task>(path, { parameters } satisfies OperationBody);
      setAsked({ taskId: task.id, title: operation.title });
      setPending(null);
    } catch (thrown: unknown) {
      setFailure({ title: `${operation.title} was not queued`, error: asError(thrown) });
      // The question was answered; the form, if any, stays with its values for another try.
      setPending((current) => (current ? { ...current, confirming: null } : null));
    } finally {
      setSending(false);
    }
  };

  /** Its parameters are in hand (none, or the form's): ask before a destructive one, send any other. */
  const proceed = (operation: ProviderOperation, parameters: Record<string, unknown>): void => {
    if (operation.destructive) setPending({ operation, confirming: { parameters } });
    else void send(operation, parameters);
  };

  const choose = (operation: ProviderOperation): void => {
    setFailure(null);
    if (operation.parameters !== null) setPending({ operation, confirming: null });
    else proceed(operation, {});
  };

  const confirming = pending?.confirming ?? null;
  return (
    <section className="object-operations" aria-label="operations">
      <div className="button-row">
        {operations.map((operation) => (
          <button
            key={operation.name}
            type="button"
            className={operation.destructive ? 'danger' : undefined}
            onClick={() => choose(operation)}
            disabled={sending || confirming !== null}
            title={operation.name}
          >
            {operation.title}
          </button>
        ))}
      </div>
      {pending && pending.operation.parameters !== null ? (
        <OperationForm
          key={pending.operation.name}
          operation={pending.operation}
          objectTitle={objectTitle}
          busy={sending || confirming !== null}
          onSubmit={(parameters) => proceed(pending.operation, parameters)}
          onClose={() => { setPending(null); setFailure(null); }}
        />
      ) : null}
      {pending && confirming ? (
        <ConfirmOperation
          operation={pending.operation}
          objectTitle={objectTitle}
          parameters={confirming.parameters}
          busy={sending}
          onConfirm={() => void send(pending.operation, confirming.parameters)}
          // Dismissed: nothing is sent; an open form keeps its values.
          onDismiss={() => setPending(pending.operation.parameters !== null ? { ...pending, confirming: null } : null)}
        />
      ) : null}
      <ErrorBanner error={failure?.error} title={failure?.title} />
      {asked ? <TaskProgress key={asked.taskId} taskId={asked.taskId} title={`${asked.title} ${objectTitle}`} onInventoryShown={onInventoryShown} /> : null}
    </section>
  );
}
