import type { Provider } from '../api/api-types';

/** A list filter by provider (all, or one of them): its id, '' for all. */
export function ProviderFilter(props: { providers: readonly Provider[] | undefined; value: string; onChange: (providerId: string) => void }) {
  return (
    <label>
      Provider{' '}
      <select aria-label="provider" value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        <option value="">all</option>
        {(props.providers ?? []).map((provider) => <option key={provider.id} value={provider.id}>{provider.name}</option>)}
      </select>
    </label>
  );
}
