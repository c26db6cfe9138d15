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

  if (provider.error) return <main><ErrorBanner error={provider.error} title="The provider could not be loaded" /></main>;
  if (providerType.error) return <main><ErrorBanner error={providerType.error} title="The provider type could not be loaded" /></main>;
  if (!provider.data || !providerType.data) return <main><Loading what="the provider" /></main>;
  return (
    <main className="narrow">
      <h1>Edit {provider.data.name}</h1>
      <div className="card">
        <ProviderForm providerType={providerType.data} provider={provider.data} onSaved={back} onCancel={back} />
      </div>
    </main>
  );
}
