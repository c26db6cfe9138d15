import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Page } from './collection';
import { credentialsMatch, type DemoCloudCredentials } from './credentials';
import type { FaultSwitches } from './faults';
import { HttpError } from './http-error';
import { parseListQuery, type ListQuery, type RawQuery } from './list-query';
import { isCollectionName, isKnownRegion, KNOWN_REGIONS, type AnyItem, type CollectionName } from './model';
import type { DemoCloudState } from './state';

export interface V1RouteDeps {
  state: DemoCloudState;
  faults: FaultSwitches;
  credentials: DemoCloudCredentials;
}

/** The list body every collection answers with. */
export interface ListResponse {
  items: AnyItem[];
  next_marker: string | null;
  total: number;
}

interface CollectionParams {
  region: string;
  collection: string;
}

/** The cloud's public API, under /v1; every route needs the access and secret key headers. */
export function registerV1Routes(app: FastifyInstance, deps: V1RouteDeps): void {
  const { state, faults, credentials } = deps;

  void app.register(
    async (v1) => {
      v1.addHook('onRequest', async (request) => {
        // Before the credential check: slow_ms delays every /v1 answer, refusals included.
        if (faults.slowMs > 0) await sleep(faults.slowMs);
        if (!credentialsMatch(credentials, request.headers['x-access-key'], request.headers['x-secret-key'])) {
          throw new HttpError(401, 'invalid credentials');
        }
      });

      v1.get('/regions', async () => ({ items: KNOWN_REGIONS.map((name) => ({ name })) }));

      v1.get<{ Params: CollectionParams; Querystring: RawQuery }>(
        '/regions/:region/:collection',
        async (request, reply) => {
          const collection = resolve(request.params, faults);
          const query = parseListQuery(collection, request.query);
          const body = request.params.region === state.region ? list(state, faults, collection, query) : emptyList();
          return faults.isMalformed(collection) ? sendTruncated(reply, body) : body;
        },
      );

      v1.get<{ Params: CollectionParams & { id: string } }>('/regions/:region/:collection/:id', async (request) => {
        const collection = resolve(request.params, faults);
        const item = request.params.region === state.region ? state.get(collection, request.params.id) : undefined;
        if (!item) throw new HttpError(404, 'not found');
        return item;
      });
    },
    { prefix: '/v1' },
  );
}

/** Checks the collection and region names, then lets an error_500 fault fail the request. */
function resolve(params: CollectionParams, faults: FaultSwitches): CollectionName {
  if (!isCollectionName(params.collection)) throw new HttpError(404, `unknown collection: ${params.collection}`);
  if (!isKnownRegion(params.region)) throw new HttpError(404, `unknown region: ${params.region}`);
  if (faults.takeError500(params.collection)) throw new HttpError(500, 'injected fault: error_500');
  return params.collection;
}

function list(
  state: DemoCloudState,
  faults: FaultSwitches,
  collection: CollectionName,
  query: ListQuery,
): ListResponse {
  switch (query.kind) {
    case 'ids':
      return whole(state.getMany(collection, query.ids));
    case 'attached':
      return whole(state.volumesAttachedTo(query.vmId));
    case 'page': {
      const fetch = (marker: string | null): Page<AnyItem> => state.page(collection, marker, query.limit);
      const page = faults.listPage(collection, query.marker, fetch);
      return { items: page.items, next_marker: page.nextMarker, total: state.count(collection) };
    }
  }
}

function whole(items: AnyItem[]): ListResponse {
  return { items, next_marker: null, total: items.length };
}

function emptyList(): ListResponse {
  return { items: [], next_marker: null, total: 0 };
}

/** The malformed fault: half of the real body, so it can never parse, under the usual content type. */
function sendTruncated(reply: FastifyReply, body: ListResponse): FastifyReply {
  const json = JSON.stringify(body);
  return reply.type('application/json; charset=utf-8').send(json.slice(0, Math.max(1, Math.floor(json.length / 2))));
}
