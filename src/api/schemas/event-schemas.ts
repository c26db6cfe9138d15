import { Type, type Static } from '@sinclair/typebox';
import { MAX_EVENT_TYPES } from '../../queries/event-type-list';
import { Id, StringEnum, Timestamp } from './common-schemas';

/** The query of GET /events; `collections` are the inventory tables whose objects events can be asked for. */
export function eventListQuery(collections: readonly string[]) {
  return Type.Object({
    providerId: Type.Optional(Id),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: `event types, comma-separated (at most ${MAX_EVENT_TYPES})` })),
    collection: Type.Optional(StringEnum(collections, { description: 'with objectId: the events of one inventory object (an inventory collection, e.g. cloud_vms)' })),
    objectId: Type.Optional(Id),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'events at or after this time' })),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'events before this time' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    after: Type.Optional(Type.String({ pattern: '^-?[0-9]{1,18}-[1-9][0-9]{0,17}$', description: 'the `next` of the previous page' })),
  }, { additionalProperties: false });
}
export type EventListQuery = Static<ReturnType<typeof eventListQuery>>;

export const EventView = Type.Object({
  id: Id,
  providerId: Id,
  type: Type.String(),
  /** The provider's own id of the event. */
  source: Type.String(),
  timestamp: Timestamp,
  message: Type.String(),
  /** The objects the event names, in the provider type's collections, whether the inventory has them or not. */
  refs: Type.Array(Type.Object({ collection: Type.String(), emsRef: Type.String() }, { additionalProperties: false })),
  /** The inventory objects the event names, by collection (table): linked when it was stored, or found by its refs since. */
  objects: Type.Record(Type.String(), Id),
  /** The name of each of `objects` (its reference where it has none), by collection (table). */
  objectNames: Type.Record(Type.String(), Type.String()),
}, { $id: 'Event', additionalProperties: false });
export type EventView = Static<typeof EventView>;
