import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { asError } from '../api/api-error';
import type { Provider, ProviderUpdateBody, VerifyResult } from '../api/api-types';
import { useAuth } from '../auth/auth-context';
import { ErrorBanner } from '../components/error-banner';
import { CredentialsVerdict } from './credentials-verdict';

interface ProviderActionsProps {
  provider: Provider;
  /** The provider changed (enabled or disabled): the page reads it again. */
  onChanged: () => void;
}

/**
 * What an operator does to a saved provider besides refreshing it: edit it, check its stored credentials, pause or
 * resume its scheduled refreshes, delete it. Deleting asks once more, naming what goes with it.
 */
export function ProviderActions({ provider, onChanged }: ProviderActionsProps) {
  const { api } = useAuth();
  const [, navigate] = useLocation();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ title: string; error: Error } | null>(null);
  const [verdict, setVerdict] = useState<VerifyResult | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  // Set by Disable/Enable until the page has read the provider again: a second click would send the same change.
  const [awaitedEnabled, setAwaitedEnabled] = useState<boolean | null>(null);
  const waiting = awaitedEnabled !== null && awaitedEnabled !== provider.enabled;
  const path = `/providers/${encodeURIComponent(provider.id)}`;

  const act = async (failureTitle: string, action: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    setVerdict(null);
    try {
      await action();
    } catch (thrown: unknown) {
      setFailure({ title: failureTitle, error: asError(thrown) });
    } finally {
      setBusy(false);
    }
  };
  const checkCredentials = () => act('The credentials could not be checked', async () => setVerdict(await api.post<VerifyResult>(`${path}/verify`)));
  const toggleEnabled = () => act(`The provider could not be ${provider.enabled ? 'disabled' : 'enabled'}`, async () => {
    await api.patch<Provider>(path, { enabled: !provider.enabled } satisfies ProviderUpdateBody);
    setAwaitedEnabled(!provider.enabled);
    onChanged();
  });
  const remove = () => act('The provider could not be deleted', async () => {
    await api.delete<Provider>(path);
    navigate('/providers');
  });

  return (
    <section className="provider-actions" aria-label="provider actions">
      <div className="button-row">
        <Link href={`${path}/edit`} className="button">Edit</Link>
        <button type="button" onClick={() => void checkCredentials()} disabled={busy}>Check credentials</button>
        <button type="button" onClick={() => void toggleEnabled()} disabled={busy || waiting}>
          {provider.enabled ? 'Disable' : 'Enable'}
        </button>
        <button type="button" className="danger" onClick={() => setConfirmingDelete(true)} disabled={busy || confirmingDelete}>Delete</button>
      </div>
      {confirmingDelete ? (
        <div className="banner banner-error" role="alertdialog" aria-label="confirm delete">
          <p>Delete <strong>{provider.name}</strong> with its inventory, refresh history, events and metrics? This cannot be undone.</p>
          <div className="button-row">
            <button type="button" className="danger" onClick={() => void remove()} disabled={busy}>Delete {provider.name}</button>
            <button type="button" onClick={() => setConfirmingDelete(false)} disabled={busy}>Keep it</button>
          </div>
        </div>
      ) : null}
      {verdict ? <CredentialsVerdict verdict={verdict} testId="credentials-check" /> : null}
      <ErrorBanner error={failure?.error} title={failure?.title} />
    </section>
  );
}
