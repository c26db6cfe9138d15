import type { ProviderStatus } from '../api/api-types';

const STATUS_TEXT: Record<ProviderStatus, string> = {
  ok: 'ok',
  error: 'error',
  never: 'never refreshed',
  disabled: 'disabled',
};

/** A provider's status as a coloured label. */
export function StatusBadge({ status }: { status: ProviderStatus }) {
  return <span className={`badge badge-${status}`} data-testid="provider-status">{STATUS_TEXT[status]}</span>;
}
