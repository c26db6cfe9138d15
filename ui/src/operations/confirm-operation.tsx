import type { ProviderOperation } from '../api/api-types';
import { formatValue } from '../components/format';

interface ConfirmOperationProps {
  operation: ProviderOperation;
  /** The object it acts on, as people name it (`VM web-1`). */
  objectTitle: string;
  parameters: Record<string, unknown>;
  busy: boolean;
  onConfirm: () => void;
  onDismiss: () => void;
}

/**
 * The question a destructive operation asks before it is sent: it names the operation, the object and the parameters.
 * The button that sends it says what it does; the one that dismisses it has the focus, so Enter does not destroy
 * anything, and Escape dismisses it too.
 */
export function ConfirmOperation({ operation, objectTitle, parameters, busy, onConfirm, onDismiss }: ConfirmOperationProps) {
  const given = Object.entries(parameters);
  const verb = operation.title.toLowerCase();
  return (
    <div
      className="banner banner-error confirm-operation"
      role="alertdialog"
      aria-label={`confirm ${verb}`}
      data-testid="confirm-operation"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDismiss();
      }}
    >
      <p>
        {operation.title} <strong>{objectTitle}</strong>{given.length > 0 ? ` with ${given.map(([name, value]) => `${name} ${formatValue(value)}`).join(', ')}` : ''}?
        {' '}The provider carries it out at once; it cannot be undone from here.
      </p>
      <div className="button-row">
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>{operation.title} {objectTitle}</button>
        <button type="button" onClick={onDismiss} disabled={busy} autoFocus>Don&apos;t {verb}</button>
      </div>
    </div>
  );
}
