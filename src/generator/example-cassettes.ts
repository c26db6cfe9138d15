import type { Cassette, Interaction, JsonResponse } from '../testing/cassette';
import type { StandardCollection } from './manager-kinds';

/** The page size the generated tests configure: the example objects then come in two pages. */
export const EXAMPLE_PAGE_SIZE = 2;
/** The window the generated metrics test asks for. */
export const EXAMPLE_METRICS_WINDOW = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T00:01:00.000Z' };

const JSON_HEADERS = { 'content-type': 'application/json' };
const WRITTEN_BY = 'the example API layout, as fleet generate provider writes it (record your own with FLEET_CASSETTES=record)';
const FAULT = 'the example API fails on demand nowhere: the generator wrote this fault as an API in the layout would answer';

const answer = (status: number, body: unknown): JsonResponse => ({ status, headers: JSON_HEADERS, body });
const get = (path: string, query: Record<string, string>, response: JsonResponse, madeByRecorder?: string): Interaction => ({
  request: { method: 'GET', path, query }, response, ...(madeByRecorder === undefined ? {} : { madeByRecorder }),
});
const cassette = (description: string, interactions: Interaction[]): Cassette<Record<string, never>> => ({
  description, recordedAgainst: WRITTEN_BY, authentication: 'bearer-token', scenario: {}, interactions,
});
const PING = get('/api/v1/ping', {}, answer(200, { ok: true }));

/**
 * The collections the generated tests are about: the first listed (whose listing fails in one), the one a targeted
 * refresh names (the first targetable), and the one whose metrics are captured (the first with metrics, if any).
 */
export function exampleRoles(collections: readonly StandardCollection[]): {
  first: StandardCollection; target: StandardCollection; measured: StandardCollection | undefined;
} {
  return { first: collections[0], target: collections.find((c) => c.targetable) ?? collections[0], measured: collections.find((c) => c.metrics) };
}

/** Three example objects of a collection, referring to the first object of each collection (of `all`) they name. */
export function exampleObjects(collection: StandardCollection, all: readonly StandardCollection[]): Record<string, unknown>[] {
  const pathOf = (name: string): string => all.find((c) => c.name === name)?.path ?? name;
  return [1, 2, 3].map((n) => ({
    id: `${collection.path}-${n}`,
    name: `example-${collection.path}-${n}`,
    ...Object.fromEntries(collection.fields.map((f) => [f.native, f.example])),
    ...Object.fromEntries(collection.refs.map((r) => [r.native, `${pathOf(r.target)}-1`])),
  }));
}

/** Every page of a collection's listing, as the API in the example layout answers them at EXAMPLE_PAGE_SIZE. */
function listing(collection: StandardCollection, objects: readonly Record<string, unknown>[]): Interaction[] {
  const pages: Interaction[] = [];
  for (let start = 0; start < objects.length; start += EXAMPLE_PAGE_SIZE) {
    const next = start + EXAMPLE_PAGE_SIZE < objects.length ? String(start + EXAMPLE_PAGE_SIZE) : null;
    const query = { limit: String(EXAMPLE_PAGE_SIZE), ...(start === 0 ? {} : { cursor: String(start) }) };
    pages.push(get(`/api/v1/${collection.path}`, query, answer(200, { items: objects.slice(start, start + EXAMPLE_PAGE_SIZE), next })));
  }
  return pages;
}

/**
 * The cassettes a generated package's tests replay, written from its example objects as the example API would
 * answer: what a recording against a server in that layout holds. Named as the tests use them.
 */
export function exampleCassettes(
  collections: readonly StandardCollection[], options: { events: boolean; metrics: boolean },
): Record<string, Cassette<Record<string, never>>> {
  const objects = new Map(collections.map((c) => [c.path, exampleObjects(c, collections)]));
  const { first, target, measured } = exampleRoles(collections);
  const rest = collections.slice(1);
  const cassettes: Record<string, Cassette<Record<string, never>>> = {
    'verify-credentials': cassette('the token accepted', [PING]),
    'token-refused': cassette('the token refused', [
      get('/api/v1/ping', {}, answer(401, { error: 'the token is not valid' }), 'a live API refuses a token only when given a bad one: the generator wrote the refusal as an API in the layout answers it'),
    ]),
    'full-refresh': cassette('a full refresh: every collection listed, page by page', [PING, ...collections.flatMap((c) => listing(c, objects.get(c.path) ?? []))]),
    'listing-fails': cassette(`a full refresh whose ${first.path} listing fails`, [
      PING, get(`/api/v1/${first.path}`, { limit: String(EXAMPLE_PAGE_SIZE) }, answer(500, { error: 'internal error' }), FAULT),
      ...rest.flatMap((c) => listing(c, objects.get(c.path) ?? [])),
    ]),
    'targeted-refresh': cassette(`a targeted refresh of two ${target.path}: one there, one gone`, [
      PING, get(`/api/v1/${target.path}/${target.path}-1`, {}, answer(200, objects.get(target.path)?.[0])),
      get(`/api/v1/${target.path}/${target.path}-9`, {}, answer(404, { error: 'not found' })),
    ]),
  };
  if (options.events) {
    const event = { id: '8', type: `${target.path}.updated`, time: '2026-01-01T00:00:00.000Z', collection: target.path, object_id: `${target.path}-1`, message: null };
    cassettes.events = cassette('the event feed: from now, then one event', [
      PING, get('/api/v1/events', { wait: '0' }, answer(200, { events: [], position: '7' })),
      get('/api/v1/events', { wait: '20', after: '7' }, answer(200, { events: [event], position: '8' })),
    ]);
    cassettes['events-position-lost'] = cassette('the event feed no longer has events after the position asked for', [
      PING, get('/api/v1/events', { wait: '0', after: '1' }, answer(410, { error: 'gone' }), FAULT),
    ]);
  }
  if (options.metrics && measured) {
    const ids = (objects.get(measured.path) ?? []).slice(0, 2).map((o) => String(o.id));
    const timestamps = [0, 20_000, 40_000].map((ms) => Date.parse(EXAMPLE_METRICS_WINDOW.from) + ms);
    const values = { cpu_usage_percent: [10, 20, 30], memory_usage_percent: [40, 41, 42], disk_io_kbps: [100, 0, 50], net_io_kbps: [5, 6, 7] };
    cassettes.metrics = cassette(`the metrics of two ${measured.path}: one with samples, one without`, [
      get(`/api/v1/metrics/${measured.path}`, { ids: ids.join(','), ...EXAMPLE_METRICS_WINDOW }, answer(200, {
        interval_seconds: 20, series: [{ id: ids[0], timestamps, values }, { id: ids[1], timestamps: [], values: {} }],
      })),
    ]);
  }
  return cassettes;
}
