import type { DataSource, EntityManager } from 'typeorm';
import { EVENT_LINK_COLUMNS } from '../../models';
import type { AnyProviderType } from '../../providers/provider';
import type { ProviderEvent } from '../../core/events/provider-events';

/**
 * Stores a provider's events in event_streams, in their order, each once: an event whose source id is stored
 * already is skipped. The objects an event names are linked where the inventory has them; `refs` keeps every
 * reference either way. Runs in the caller's transaction; returns the events that were new.
 */
export async function storeEvents(
  manager: EntityManager,
  options: { dataSource: DataSource; providerId: string; type: AnyProviderType; events: readonly ProviderEvent[] },
): Promise<ProviderEvent[]> {
  const { providerId, events } = options;
  if (events.length === 0) return [];
  const links = await resolveLinks(manager, options);
  const rows = events.map((event, ord) => {
    const row: Record<string, unknown> = {
      ord, source_id: event.sourceId, event_type: event.type, timestamp: event.timestamp, message: event.message, refs: event.refs,
    };
    for (const ref of event.refs) {
      const link = links.get(refKey(ref.collection, ref.emsRef));
      if (link) row[link.column] ??= link.id;
    }
    return row;
  });
  const columns = Object.values(EVENT_LINK_COLUMNS);
  const inserted: { source_id: string }[] = await manager.query(
    `INSERT INTO event_streams (provider_id, source_id, event_type, "timestamp", message, refs, ${columns.join(', ')})
     SELECT $1, r.source_id, r.event_type, r."timestamp", r.message, r.refs, ${columns.map((c) => `r.${c}`).join(', ')}
       FROM jsonb_to_recordset($2::jsonb) AS r(ord int, source_id text, event_type text, "timestamp" timestamptz, message text, refs jsonb,
            ${columns.map((c) => `${c} bigint`).join(', ')})
      ORDER BY r.ord
     ON CONFLICT (provider_id, source_id) DO NOTHING
     RETURNING source_id`,
    [providerId, JSON.stringify(rows)],
  );
  const fresh = new Set(inserted.map((row) => row.source_id));
  // The same source id twice in one batch is stored once; the first one counts.
  return events.filter((event) => fresh.delete(event.sourceId));
}

interface Link {
  column: string;
  id: string;
}

/** The ids of the named objects the inventory holds, in collections that event_streams links to. */
async function resolveLinks(
  manager: EntityManager,
  options: { dataSource: DataSource; providerId: string; type: AnyProviderType; events: readonly ProviderEvent[] },
): Promise<Map<string, Link>> {
  const refsByCollection = new Map<string, Set<string>>();
  for (const event of options.events) {
    for (const ref of event.refs) {
      let refs = refsByCollection.get(ref.collection);
      if (!refs) refsByCollection.set(ref.collection, (refs = new Set()));
      refs.add(ref.emsRef);
    }
  }
  const links = new Map<string, Link>();
  for (const [collection, refs] of refsByCollection) {
    const definition = Object.hasOwn(options.type.inventory, collection) ? options.type.inventory[collection] : undefined;
    if (!definition) continue;
    const table = options.dataSource.getMetadata(definition.entity).tableName;
    const column = Object.hasOwn(EVENT_LINK_COLUMNS, table) ? EVENT_LINK_COLUMNS[table] : undefined;
    if (!column) continue;
    const found: { id: string; ems_ref: string }[] = await manager.query(
      `SELECT id, ems_ref FROM "${table}" WHERE provider_id = $1 AND ems_ref = ANY($2)`, [options.providerId, [...refs]],
    );
    for (const row of found) links.set(refKey(collection, row.ems_ref), { column, id: row.id });
  }
  return links;
}

function refKey(collection: string, emsRef: string): string {
  return `${collection}\u0000${emsRef}`;
}
