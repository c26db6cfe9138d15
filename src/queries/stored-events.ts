import type { DataSource } from 'typeorm';
import { EVENT_LINK_COLUMNS } from '../models';
import type { AnyProviderType } from '../providers/provider';
import type { EventObjectRef } from '../core/events/provider-events';
import { ident } from '../db/sql';
import { collectionOfTable } from '../providers/collection-of-table';

/** An inventory object whose events are asked for: its row, and how the provider's events name it. */
export interface EventSubject {
  /** The inventory table, e.g. cloud_vms. */
  table: string;
  id: string;
  providerId: string;
  /** The object as events' `refs` name it: the provider type's collection and the object's ems_ref. */
  ref: EventObjectRef;
}

/**
 * Where a page of events (newest first) ends: the last event's time to the microsecond, which a JavaScript Date
 * would round to the millisecond and so skip or repeat events of the same millisecond, and its id.
 */
export interface EventCursor {
  timestampMicros: string;
  id: string;
}

export interface EventQuery {
  providerId?: string;
  /** Any of these event types. */
  types?: readonly string[];
  subject?: EventSubject;
  /** Events at or after this time. */
  since?: Date;
  /** Events before this time. */
  until?: Date;
  /** Events after this one in the order newest first. */
  after?: EventCursor;
  limit: number;
}

export interface StoredEvent {
  id: string;
  providerId: string;
  providerName: string;
  type: string;
  sourceId: string;
  timestamp: Date;
  message: string;
  refs: EventObjectRef[];
  /**
   * The inventory objects the event names, by table: linked when it was stored, or found by its refs now (an event
   * of a new object is stored before the refresh that brings the object in).
   */
  objects: Record<string, string>;
  /** The name of each of `objects` (its reference where it has none), by table: what people call it. */
  objectNames: Record<string, string>;
  cursor: EventCursor;
}

interface EventRow {
  id: string;
  provider_id: string;
  provider_name: string;
  event_type: string;
  source_id: string;
  timestamp: Date;
  timestamp_micros: string;
  message: string;
  refs: EventObjectRef[];
  objects: Record<string, string>;
  object_names: Record<string, string>;
}

/**
 * SQL for the objects an event names, by table (see StoredEvent.objects), with its parameters added to `params`:
 * per link column, the object linked, or else the object of that table one of the event's refs names, found through
 * the collections of the provider's type that fill the table (`<type>/<collection>`).
 */
function namedObjects(dataSource: DataSource, types: Readonly<Record<string, AnyProviderType>>, param: (value: unknown) => string): string {
  const entries = Object.entries(EVENT_LINK_COLUMNS).map(([table, column]) => {
    const collections = Object.entries(types).flatMap(([typeName, type]) => {
      const collection = collectionOfTable(dataSource, type, table);
      return collection === undefined ? [] : [`${typeName}/${collection}`];
    });
    if (collections.length === 0) return `'${table}', e.${column}::text`;
    const found = `(SELECT o.id FROM jsonb_array_elements(e.refs) r JOIN ${ident(table)} o ON o.provider_id = e.provider_id AND o.ems_ref = r->>'emsRef'
                     WHERE p.type || '/' || (r->>'collection') = ANY(${param(collections)}::text[]) ORDER BY o.id LIMIT 1)`;
    return `'${table}', COALESCE(e.${column}, ${found})::text`;
  });
  return `jsonb_strip_nulls(jsonb_build_object(${entries.join(', ')}))`;
}

/** SQL for the names of the objects in `objects` (SQL for an objects map, see namedObjects), by table. */
function namesOf(objects: string): string {
  const entries = Object.keys(EVENT_LINK_COLUMNS).map((table) =>
    `'${table}', (SELECT COALESCE(o.name, o.ems_ref) FROM ${ident(table)} o WHERE o.id = (${objects}->>'${table}')::bigint)`);
  return `jsonb_strip_nulls(jsonb_build_object(${entries.join(', ')}))`;
}

/**
 * Stored events matching a query, newest first (by time, then id). An object's events are those linked to it,
 * and those that name it in `refs` without a link: stored before a refresh brought the object into the inventory,
 * or of a collection event_streams has no link column for.
 */
export async function findEvents(
  dataSource: DataSource, types: Readonly<Record<string, AnyProviderType>>, query: EventQuery,
): Promise<StoredEvent[]> {
  const params: unknown[] = [];
  const param = (value: unknown): string => `$${params.push(value)}`;
  const objects = namedObjects(dataSource, types, param);
  const conditions: string[] = [];
  if (query.providerId !== undefined) conditions.push(`e.provider_id = ${param(query.providerId)}`);
  if (query.types !== undefined && query.types.length > 0) conditions.push(`e.event_type = ANY(${param(query.types)}::text[])`);
  if (query.since !== undefined) conditions.push(`e."timestamp" >= ${param(query.since)}`);
  if (query.until !== undefined) conditions.push(`e."timestamp" < ${param(query.until)}`);
  if (query.subject !== undefined) {
    const { subject } = query;
    // refs is an array of { collection, emsRef }: containment finds the object whatever else the event names.
    const named = `(e.provider_id = ${param(subject.providerId)} AND e.refs @> ${param(JSON.stringify([subject.ref]))}::jsonb)`;
    const column = Object.hasOwn(EVENT_LINK_COLUMNS, subject.table) ? EVENT_LINK_COLUMNS[subject.table] : undefined;
    conditions.push(column === undefined ? named : `(e.${column} = ${param(subject.id)} OR (e.${column} IS NULL AND ${named}))`);
  }
  if (query.after !== undefined) {
    const time = `(timestamptz 'epoch' + ${param(query.after.timestampMicros)}::bigint * interval '1 microsecond')`;
    conditions.push(`(e."timestamp", e.id) < (${time}, ${param(query.after.id)}::bigint)`);
  }
  const rows: EventRow[] = await dataSource.query(
    `SELECT e.id::text AS id, e.provider_id::text AS provider_id, p.name AS provider_name, e.event_type, e.source_id,
            e."timestamp", (extract(epoch FROM e."timestamp") * 1000000)::bigint::text AS timestamp_micros,
            e.message, e.refs, x.objects, ${namesOf('x.objects')} AS object_names
       FROM event_streams e JOIN providers p ON p.id = e.provider_id CROSS JOIN LATERAL (SELECT ${objects} AS objects) x
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY e."timestamp" DESC, e.id DESC
      LIMIT ${param(query.limit)}`,
    params,
  );
  return rows.map((row) => ({
    id: row.id, providerId: row.provider_id, providerName: row.provider_name, type: row.event_type, sourceId: row.source_id,
    timestamp: row.timestamp, message: row.message, refs: row.refs, objects: row.objects, objectNames: row.object_names,
    cursor: { timestampMicros: row.timestamp_micros, id: row.id },
  }));
}

/** A cursor as the API passes it on: `<microseconds since the epoch>-<id>`. */
export function formatEventCursor(cursor: EventCursor): string {
  return `${cursor.timestampMicros}-${cursor.id}`;
}

/** The cursor a formatted one stands for; null when it is not one. */
export function parseEventCursor(value: string): EventCursor | null {
  const match = /^(-?[0-9]{1,18})-([1-9][0-9]{0,17})$/.exec(value);
  return match ? { timestampMicros: match[1], id: match[2] } : null;
}

/**
 * The object of an inventory table by id, as events name it; null when there is none. `types` are the provider
 * types by name, for the collection name the object's provider type gives the table.
 */
export async function findEventSubject(
  dataSource: DataSource, types: Readonly<Record<string, AnyProviderType>>, table: string, id: string,
): Promise<EventSubject | null> {
  const [row]: { provider_id: string; ems_ref: string; type: string }[] = await dataSource.query(
    `SELECT o.provider_id::text AS provider_id, o.ems_ref, p.type FROM ${ident(table)} o JOIN providers p ON p.id = o.provider_id WHERE o.id = $1`,
    [id],
  );
  if (!row) return null;
  const type = Object.hasOwn(types, row.type) ? types[row.type] : undefined;
  const collection = type === undefined ? undefined : collectionOfTable(dataSource, type, table);
  // An object of a type no longer installed is still found by its links; its refs name a collection unknown here.
  return { table, id, providerId: row.provider_id, ref: { collection: collection ?? table, emsRef: row.ems_ref } };
}
