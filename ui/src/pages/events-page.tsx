import { useState } from 'react';
import type { FleetEvent, Page, Provider } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { useKeysetPager } from '../components/keyset-pager';
import { Loading } from '../components/loading';
import { ProviderFilter } from '../components/provider-filter';
import { PagerButtons } from '../components/pager-buttons';
import { EventsTable } from '../events/events-table';
import { useDebounced } from '../inventory/use-debounced';

const PAGE_SIZE = 50;

/** The fleet's event timeline, newest first, by provider and event type; the first page follows new events. */
export function EventsPage() {
  const providers = useApi('providers', (api) => api.get<Provider[]>('/providers'));
  const [providerId, setProviderId] = useState('');
  const [typeText, setTypeText] = useState('');
  const type = useDebounced(typeText.trim(), 300);
  const pager = useKeysetPager(`${providerId} ${type}`);
  const query = { providerId, type, limit: PAGE_SIZE, after: pager.after };
  const events = useApi(`events ${JSON.stringify(query)}`, (api) => api.get<Page<FleetEvent>>('/events', query),
    pager.pageNumber === 1 ? { intervalMs: 5_000 } : {});
  const providerNames = new Map((providers.data ?? []).map((provider) => [provider.id, provider.name]));

  return (
    <main>
      <h1>Events</h1>
      <div className="table-tools">
        <ProviderFilter providers={providers.data} value={providerId} onChange={setProviderId} />
        <label>
          Type{' '}
          <input aria-label="event type" placeholder="e.g. vm.power_off" value={typeText} onChange={(event) => setTypeText(event.target.value)} />
        </label>
      </div>
      <ErrorBanner error={providers.error} title="Providers could not be loaded" />
      <ErrorBanner error={events.error} title="Events could not be loaded" />
      {!events.data && !events.error ? <Loading what="events" /> : null}
      {events.data ? (
        <>
          {events.data.items.length === 0 ? <p className="empty">No events{providerId || type ? ' match' : ' yet'}.</p> : <EventsTable events={events.data.items} providerNames={providerNames} />}
          <PagerButtons pager={pager} next={events.data.next} label="events" />
        </>
      ) : null}
    </main>
  );
}
