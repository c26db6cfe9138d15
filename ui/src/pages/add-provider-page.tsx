import { useState } from 'react';
import { useLocation } from 'wouter';
import type { ProviderType } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { ProviderForm } from '../forms/provider-form';

/** Add a provider: pick its type, then fill in the type's own form. */
export function AddProviderPage() {
  const [, navigate] = useLocation();
  const types = useApi('provider-types', (api) => api.get<ProviderType[]>('/provider-types'));
  const [typeName, setTypeName] = useState('');
  const chosen = types.data?.find((type) => type.type === typeName);

  return (
    <main className="narrow">
      <h1>Add provider</h1>
      <ErrorBanner error={types.error} title="Provider types could not be loaded" />
      {!types.data && !types.error ? <Loading what="provider types" /> : null}
      {types.data ? (
        <div className="card">
          <div className="field">
            <label htmlFor="provider-type">Provider type</label>
            <select id="provider-type" value={typeName} onChange={(event) => setTypeName(event.target.value)}>
              <option value="">Choose a type…</option>
              {types.data.map((type) => <option key={type.type} value={type.type}>{type.title} ({type.type})</option>)}
            </select>
          </div>
          {chosen ? (
            // A new form per type: values of one type's fields mean nothing to another's.
            <ProviderForm
              key={chosen.type}
              providerType={chosen}
              onSaved={(provider) => navigate(`/providers/${provider.id}`)}
              onCancel={() => navigate('/providers')}
            />
          ) : null}
        </div>
      ) : null}
    </main>
  );
}
