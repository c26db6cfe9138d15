import { useLocation } from 'wouter';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { ProviderForm } from '../forms/provider-form';
import { useProvider } from '../providers/use-provider';

/** Change a saved provider: its name, its type's settings and, when typed in, its credentials. */
export function EditProviderPage({ providerId }: { providerId: string }) {
  const [, navigate] = useLocation();
  const { provider, providerType } = useProvider(providerId);
  const back = () => navigate(`/providers/${encodeURIComponent(providerId)}`);

  return (
    <main className="narrow">
      <h1>Edit {provider.data?.name ?? 'provider'}</h1>
      <ErrorBanner error={provider.error} title="The provider could not be loaded" />
      <ErrorBanner error={providerType.error} title="The provider type could not be loaded" />
      {provider.data && providerType.data ? (
        <div className="card">
          <ProviderForm providerType={providerType.data} provider={provider.data} onSaved={back} onCancel={back} />
        </div>
      ) : null}
      {!provider.error && !providerType.error && !(provider.data && providerType.data) ? <Loading what="the provider" /> : null}
    </main>
  );
}
