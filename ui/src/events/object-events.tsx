import type { FleetEvent, Page } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { Loading } from '../components/loading';
import { EventsTable } from './events-table';

/** The latest events about one inventory object, read again every 5 s. */
export function ObjectEvents({ collection, objectId }: { collection: string; objectId: string }) {
  const events = useApi(`events ${collection} ${objectId}`,
    (api) => api.get<Page<FleetEvent>>('/events', { collection, objectId, limit: 20 }), { intervalMs: 5_000 });
  return (
    <section className="card" aria-label="object events">
      <h2>Events</h2>
      <ErrorBanner error={events.error} title="Events could not be loaded" />
      {!events.data && !events.error ? <Loading what="events" /> : null}
      {events.data && events.data.items.length === 0 ? <p className="empty" data-testid="events-empty">No events about this object yet.</p> : null}
      {events.data && events.data.items.length > 0 ? <EventsTable events={events.data.items} /> : null}
    </section>
  );
}
