import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Page } from './collection';
import { credentialsMatch, type DemoCloudCredentials } from './credentials';
import type { FaultSwitches } from './faults';
import { HttpError } from './http-error';
import { InvalidInputError } from './invalid-input-error';
import { parseListQuery, type ListQuery, type RawQuery } from './list-query';
import { corruptMetrics } from './metrics-corruption';
import { parseMetricsQuery } from './metrics-query';
import type { DemoMetricsService } from './metrics-service';
import { isCollectionName, isKnownRegion, KNOWN_REGIONS, type AnyItem, type CollectionName, type Vm } from './model';
import type { CloudEvent, DemoEventLog } from './event-log';
import type { DemoCloudState } from './state';

export interface V1RouteDeps {
  state: DemoCloudState;
  events: DemoEventLog;
  metrics: DemoMetricsService;
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

/** The events body: events after the cursor, and the cursor to ask with next. */
export interface EventsResponse {
  items: CloudEvent[];
  last_id: number;
}

/** The longest a request for events may wait for the next one. */
const MAX_EVENT_WAIT_MS = 30_000;

/** The cloud's public API, under /v1; every route needs the access and secret key headers. */
export function registerV1Routes(app: FastifyInstance, deps: V1RouteDeps): void {
  const { state, faults, credentials, events, metrics } = deps;

  void app.register(
    async (v1) => {
      v1.addHook('onRequest', async (request, reply) => {
        // Before the credential check: hold and slow_ms delay every /v1 answer, refusals included.
        await faults.whenNotHeld();
        if (faults.slowMs > 0) await sleep(faults.slowMs);
        if (!credentialsMatch(credentials, request.headers['x-access-key'], request.headers['x-secret-key'])) {
          throw new HttpError(401, 'invalid credentials');
        }
        const throttled = faults.takeThrottle(collectionParam(request.params));
        if (throttled) {
          if (throttled.retryAfter !== undefined) void reply.header('retry-after', String(throttled.retryAfter));
          return reply.code(throttled.status).send({ error: `injected fault: throttle (HTTP ${throttled.status})` });
        }
      });

      v1.get('/regions', async () => ({ items: KNOWN_REGIONS.map((name) => ({ name })) }));

      // Registered before /regions/:region/:collection, like events.
      v1.get<{ Params: { region: string }; Querystring: RawQuery }>('/regions/:region/metrics', async (request, reply) => {
        if (!isKnownRegion(request.params.region)) throw new HttpError(404, `unknown region: ${request.params.region}`);
        const answer = metrics.series(parseMetricsQuery(request.query), request.params.region === state.region);
        const corruption = faults.badMetrics;
        if (corruption === undefined) return answer;
        const { status, body } = corruptMetrics(corruption, answer);
        return reply.code(status).send(body);
      });

      // Registered before /regions/:region/:collection so "events" is never taken for a collection.
      v1.get<{ Params: { region: string }; Querystring: RawQuery }>('/regions/:region/events', async (request): Promise<EventsResponse> => {
        if (!isKnownRegion(request.params.region)) throw new HttpError(404, `unknown region: ${request.params.region}`);
        // `after=now`: only events from now on (a catcher's first request, to learn where it starts).
        const after = request.query.after === 'now' ? events.lastId : integerParam(request.query, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
        const limit = integerParam(request.query, 'limit', 1, 1000, 100);
        const waitMs = integerParam(request.query, 'wait_ms', 0, MAX_EVENT_WAIT_MS, 0);
        if (request.params.region !== state.region) return { items: [], last_id: after };
        await events.waitForEventAfter(after, waitMs);
        const found = events.after(after, limit);
        if ('expired' in found) {
          throw new HttpError(410, `cursor ${after} is not in the event log (events ${found.oldest} to ${events.lastId} are kept); refresh fully and go on from ${events.lastId}`);
        }
        return { items: found.events, last_id: found.last };
      });

      v1.get<{ Params: CollectionParams; Querystring: RawQuery }>(
        '/regions/:region/:collection',
        async (request, reply) => {
          const collection = resolve(request.params, faults);
          const query = parseListQuery(collection, request.query);
          const body = request.params.region === state.region ? list(state, faults, collection, query) : emptyList();
          return faults.isMalformed(collection) ? sendTruncated(reply, body) : body;
        },
      );

      // What an owner does to a VM: its power, its flavor, its end. Each answers the VM as it is now.
      v1.post<{ Params: { region: string; id: string }; Body: unknown }>('/regions/:region/vms/:id/actions', async (request) => {
        resolve({ region: request.params.region, collection: 'vms' }, faults);
        const vm = runVmAction(state, request.params.region === state.region ? request.params.id : null, request.body);
        if (!vm) throw new HttpError(404, 'not found');
        return vm;
      });

      v1.delete<{ Params: { region: string; id: string } }>('/regions/:region/vms/:id', async (request) => {
        resolve({ region: request.params.region, collection: 'vms' }, faults);
        const vm = request.params.region === state.region ? state.deleteVm(request.params.id) : undefined;
        if (!vm) throw new HttpError(404, 'not found');
        return vm;
      });

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

/** The actions POST /v1/regions/{region}/vms/{id}/actions takes, as `{"action": ...}` (resize with a `flavor_id`). */
export const VM_ACTIONS = ['start', 'stop', 'pause', 'restart', 'resize'] as const;
type VmAction = (typeof VM_ACTIONS)[number];

/** Runs an action on the VM `vmId` (null: none in this region); undefined when there is no such VM. */
function runVmAction(state: DemoCloudState, vmId: string | null, body: unknown): Vm | undefined {
  const action = typeof body === 'object' && body !== null && 'action' in body ? body.action : undefined;
  if (!VM_ACTIONS.includes(action as VmAction)) throw new InvalidInputError(`action must be one of: ${VM_ACTIONS.join(', ')}`);
  const vm = vmId === null ? undefined : state.get('vms', vmId);
  if (!vm) return undefined;
  switch (action as VmAction) {
    case 'start':
      return state.setPowerState(vm.id, 'running');
    case 'stop':
      return state.setPowerState(vm.id, 'stopped');
    case 'pause':
      return state.setPowerState(vm.id, 'paused');
    case 'restart':
      // A restart is a stop and a start, as the events tell; only a running VM has something to restart.
      if (vm.power_state !== 'running') throw new HttpError(409, `vm ${vm.id} is ${vm.power_state}: only a running VM can be restarted`);
      state.setPowerState(vm.id, 'stopped');
      return state.setPowerState(vm.id, 'running');
    case 'resize': {
      const flavorId = 'flavor_id' in (body as object) ? (body as { flavor_id: unknown }).flavor_id : undefined;
      if (typeof flavorId !== 'string' || flavorId === '') throw new InvalidInputError('resize needs flavor_id, a flavor id, e.g. flv-01');
      return state.resize(vm.id, flavorId);
    }
  }
}

/** The collection a /v1 route names, if it names one (routes are matched before onRequest hooks run). */
function collectionParam(params: unknown): string | undefined {
  return typeof params === 'object' && params !== null && 'collection' in params && typeof params.collection === 'string' ? params.collection : undefined;
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

/** A whole-number query parameter within bounds, or its default when absent. */
function integerParam(query: RawQuery, name: string, min: number, max: number, fallback: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw new InvalidInputError(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}
