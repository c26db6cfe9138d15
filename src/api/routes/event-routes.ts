import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NotFoundError, ValidationError } from '../../errors';
import { objectTables } from '../../queries/inventory-tables';
import {
  findEvents, findEventSubject, formatEventCursor, parseEventCursor, type EventCursor, type EventSubject, type StoredEvent,
} from '../../queries/stored-events';
import { MAX_EVENT_TYPES, splitEventTypes } from '../../queries/event-type-list';
import type { ApiContext } from '../api-context';
import { pageOf } from '../page';
import { errorResponses, Nullable } from '../schemas/common-schemas';
import { eventListQuery, EventView, type EventListQuery } from '../schemas/event-schemas';

/** The providers' stored events: of a provider, of some types, of one inventory object, in a time window; newest first. */
export const eventRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { dataSource, store } = context;
  app.addSchema(EventView);

  app.get('/events', {
    schema: {
      tags: ['events'], summary: 'stored provider events, newest first, a page at a time',
      querystring: eventListQuery(objectTables(dataSource, context.types)),
      response: { 200: Type.Object({ items: Type.Array(Type.Ref('Event')), next: Nullable(Type.String()) }, { additionalProperties: false }), ...errorResponses },
    },
  }, async (request) => {
    const { query } = request;
    const { limit } = query;
    const types = query.type === undefined ? undefined : splitEventTypes(query.type);
    if (types !== undefined && (types.length === 0 || types.length > MAX_EVENT_TYPES)) {
      throw new ValidationError(`querystring.type: name 1 to ${MAX_EVENT_TYPES} event types, separated by commas`);
    }
    const since = query.since === undefined ? undefined : new Date(query.since);
    const until = query.until === undefined ? undefined : new Date(query.until);
    if (since && until && since >= until) throw new ValidationError('querystring.until: must be after since');
    const after = query.after === undefined ? undefined : cursorOf(query.after);
    // An unknown provider or object is a 404, not an empty page.
    const providerId = query.providerId === undefined ? undefined : (await store.get(query.providerId)).id;
    const subject = await subjectOf(query);
    const events = await findEvents(dataSource, context.types, { providerId, types, subject, since, until, after, limit: limit + 1 });
    return pageOf(events, limit, eventView, (event) => formatEventCursor(event.cursor));
  });

  async function subjectOf({ collection, objectId }: EventListQuery): Promise<EventSubject | undefined> {
    if (collection === undefined && objectId === undefined) return undefined;
    if (collection === undefined || objectId === undefined) {
      throw new ValidationError(`querystring.${collection === undefined ? 'collection' : 'objectId'}: is required with ${collection === undefined ? 'objectId' : 'collection'}`);
    }
    const subject = await findEventSubject(dataSource, context.types, collection, objectId);
    if (!subject) throw new NotFoundError(`no ${collection} object ${objectId}`);
    return subject;
  }
};

function cursorOf(value: string): EventCursor {
  const cursor = parseEventCursor(value);
  if (!cursor) throw new ValidationError('querystring.after: is not a cursor from a page\'s next');
  return cursor;
}

function eventView(event: StoredEvent): EventView {
  return {
    id: event.id, providerId: event.providerId, type: event.type, source: event.sourceId, timestamp: event.timestamp.toISOString(),
    message: event.message, refs: event.refs, objects: event.objects, objectNames: event.objectNames,
  };
}
