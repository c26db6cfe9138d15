import type { CollectionName, ListResponse, RunningDemoCloud } from '../../src/demo-cloud';

export const AUTH = { 'x-access-key': 'demo-access', 'x-secret-key': 'demo-secret' };
export const REGION = 'us-east-1';

export interface JsonAnswer<T> {
  status: number;
  body: T;
}

/** GET with the demo credentials (unless others are given), parsed as JSON. */
export async function getJson<T = unknown>(
  cloud: RunningDemoCloud,
  path: string,
  headers: Record<string, string> = AUTH,
): Promise<JsonAnswer<T>> {
  const response = await fetch(cloud.url + path, { headers });
  return { status: response.status, body: (await response.json()) as T };
}

/** POST, PUT or DELETE with a JSON body (if any), and `headers` (none by default: the admin routes need none). */
export async function sendJson<T = unknown>(
  cloud: RunningDemoCloud,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonAnswer<T>> {
  const response = await fetch(cloud.url + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export interface Walk {
  ids: string[];
  pages: number;
  /** `total` as the last page reported it. */
  total: number;
}

/** Follows next_marker from the first page to the last, the way a client lists a collection. */
export async function walk(cloud: RunningDemoCloud, collection: CollectionName, limit: number): Promise<Walk> {
  const ids: string[] = [];
  let marker: string | null = null;
  let pages = 0;
  let total = -1;
  do {
    const query: string = `limit=${limit}` + (marker === null ? '' : `&marker=${encodeURIComponent(marker)}`);
    const { status, body } = await getJson<ListResponse>(cloud, `/v1/regions/${REGION}/${collection}?${query}`);
    if (status !== 200) throw new Error(`page ${pages} of ${collection} answered ${status}`);
    ids.push(...body.items.map((item) => item.id));
    total = body.total;
    marker = body.next_marker;
    pages += 1;
  } while (marker !== null && pages < 10_000);
  return { ids, pages, total };
}
