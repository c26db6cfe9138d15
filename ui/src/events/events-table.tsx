import { Link } from 'wouter';
import type { FleetEvent } from '../api/api-types';
import { formatTime, objectKindTitle } from '../components/format';

/** Events, newest first: when, what, and links to the inventory objects they are about. */
export function EventsTable({ events, providerNames }: { events: FleetEvent[]; providerNames?: Map<string, string> }) {
  return (
    <table className="data-table" aria-label="events">
      <thead>
        <tr>
          <th>Time</th>
          {providerNames ? <th>Provider</th> : null}
          <th>Type</th><th>Message</th><th>Source</th><th>Objects</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.id} data-testid="event-row">
            <td>{formatTime(event.timestamp)}</td>
            {providerNames ? <td><Link href={`/providers/${event.providerId}`}>{providerNames.get(event.providerId) ?? event.providerId}</Link></td> : null}
            <td><code>{event.type}</code></td>
            <td>{event.message}</td>
            <td>{event.source}</td>
            <td>
              {Object.entries(event.objects).map(([collection, id]) => (
                <Link key={collection} href={`/inventory/${collection}/${id}`} className="object-link">
                  {objectKindTitle(collection)} {event.objectNames[collection] ?? `#${id}`}
                </Link>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
