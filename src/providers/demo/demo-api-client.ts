import { EventPositionLostError, HttpRetryPolicy, InvalidCredentialsError, ProviderApiError, withDeadline, type MetricWindow } from '../sdk';
import type { DemoMetricCollection } from './demo-metrics';
import type { DemoNativeCollections, DemoNativeEvent, DemoNativeMetrics, DemoNativeName } from './demo-native';

export interface DemoApiClientOptions {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  fetch: typeof globalThis.fetch;
  pageSize: number;
  timeoutMs: number;
  /** How throttled, failed and unanswered requests are retried (default: the policy's defaults). */
  retry?: HttpRetryPolicy;
}

interface ListResponse<T> {
  items: T[];
  next_marker: string | null;
  total: number;
}

/** A page of a listing with the collection's total as the API reports it. */
export interface ListedPage<T> {
  items: T[];
  total: number;
}

/**
 * Talks to the Awesome Cloud API: key headers on every request, marker paging, every request through the
 * providers' retry policy (429 and 503 with their Retry-After, other server errors and network failures), and a
 * shape check of every answer, so a bad answer becomes a ProviderApiError instead of bad inventory.
 */
export class DemoApiClient {
  private readonly retry: HttpRetryPolicy;

  constructor(private readonly options: DemoApiClientOptions) {
    this.retry = options.retry ?? new HttpRetryPolicy();
  }

  async regions(signal?: AbortSignal): Promise<string[]> {
    const body = await this.get('/v1/regions', signal);
    const items = isRecord(body) && Array.isArray(body.items) ? body.items : null;
    if (!items) throw new ProviderApiError('the regions answer has no items');
    return items.filter(isRecord).map((r) => String(r.name));
  }

  /** Every page of a collection, in order. */
  async *pages<K extends DemoNativeName>(collection: K, signal?: AbortSignal): AsyncGenerator<ListedPage<DemoNativeCollections[K]>> {
    let marker: string | null = null;
    let next: Promise<ListResponse<DemoNativeCollections[K]>> | null = this.list(collection, marker, signal);
    while (next) {
      const page: ListResponse<DemoNativeCollections[K]> = await next;
      marker = page.next_marker;
      // Ask for the next page before handing this one out, so the parser's work overlaps the network's.
      next = marker === null ? null : this.list(collection, marker, signal);
      next?.catch(() => undefined); // observed when awaited; avoids an unhandled rejection if the consumer stops
      yield { items: page.items, total: page.total };
    }
  }

  /** The objects with these ids that still exist. */
  async byIds<K extends 'vms' | 'volumes'>(collection: K, ids: readonly string[], signal?: AbortSignal): Promise<DemoNativeCollections[K][]> {
    const found: DemoNativeCollections[K][] = [];
    for (let start = 0; start < ids.length; start += 1000) {
      const query = new URLSearchParams({ ids: ids.slice(start, start + 1000).join(',') });
      const page = await this.listPath<DemoNativeCollections[K]>(`${this.regionPath()}/${collection}?${query}`, collection, signal);
      found.push(...page.items);
    }
    return found;
  }

  /** The volumes attached to a VM. */
  async volumesOf(vmId: string, signal?: AbortSignal): Promise<DemoNativeCollections['volumes'][]> {
    const query = new URLSearchParams({ attached_vm_id: vmId });
    return (await this.listPath<DemoNativeCollections['volumes']>(`${this.regionPath()}/volumes?${query}`, 'volumes', signal)).items;
  }

  /**
   * Events after the cursor (`now`: from now on), waiting up to `waitMs` for the first one; with the cursor to ask
   * with next. Throws EventPositionLostError when the cloud no longer keeps events from the cursor.
   */
  async events(after: number | 'now', waitMs: number, signal?: AbortSignal): Promise<{ items: DemoNativeEvent[]; lastId: number }> {
    const query = new URLSearchParams({ after: String(after), limit: '1000', wait_ms: String(waitMs) });
    let body: unknown;
    try {
      body = await this.get(`${this.regionPath()}/events?${query}`, signal, waitMs);
    } catch (error: unknown) {
      if (error instanceof ProviderApiError && error.status === 410) throw new EventPositionLostError(`the cloud no longer keeps events after ${after}`, { cause: error });
      throw error;
    }
    if (!isRecord(body) || !Array.isArray(body.items) || typeof body.last_id !== 'number') throw new ProviderApiError('the events answer does not have the expected shape');
    if (!body.items.every((e) => isRecord(e) && typeof e.id === 'number' && typeof e.type === 'string' && typeof e.resource_id === 'string')) {
      throw new ProviderApiError('the events answer holds malformed events');
    }
    return { items: body.items as unknown as DemoNativeEvent[], lastId: body.last_id };
  }

  /**
   * The objects' samples with `window.from < timestamp <= window.to`, for those that exist. One request: the cloud
   * takes at most 1000 ids and 24 hours.
   */
  async metrics(collection: DemoMetricCollection, ids: readonly string[], window: MetricWindow, signal?: AbortSignal): Promise<DemoNativeMetrics> {
    const query = new URLSearchParams({ collection, ids: ids.join(','), from: window.from.toISOString(), to: window.to.toISOString() });
    const body = await this.get(`${this.regionPath()}/metrics?${query}`, signal);
    if (!isRecord(body) || !isPositiveInteger(body.interval_seconds) || !Array.isArray(body.series)) {
      throw new ProviderApiError('the metrics answer does not have the expected shape');
    }
    const interval = body.interval_seconds;
    if (!body.series.every((series) => isMetricSeries(series, interval))) throw new ProviderApiError('the metrics answer holds malformed series');
    return body as unknown as DemoNativeMetrics;
  }

  private list<K extends DemoNativeName>(collection: K, marker: string | null, signal?: AbortSignal): Promise<ListResponse<DemoNativeCollections[K]>> {
    const query = new URLSearchParams({ limit: String(this.options.pageSize) });
    if (marker !== null) query.set('marker', marker);
    return this.listPath(`${this.regionPath()}/${collection}?${query}`, collection, signal);
  }

  private async listPath<T>(path: string, collection: string, signal?: AbortSignal): Promise<ListResponse<T>> {
    const body = await this.get(path, signal);
    if (!isRecord(body) || !Array.isArray(body.items) || typeof body.total !== 'number' || !(typeof body.next_marker === 'string' || body.next_marker === null)) {
      throw new ProviderApiError(`the ${collection} listing answer does not have the expected shape`);
    }
    if (!body.items.every((item) => isRecord(item) && typeof item.id === 'string')) {
      throw new ProviderApiError(`the ${collection} listing holds objects without an id`);
    }
    return body as unknown as ListResponse<T>;
  }

  private regionPath(): string {
    return `/v1/regions/${encodeURIComponent(this.options.region)}`;
  }

  /** One VM, as the cloud has it now. */
  async vm(vmId: string, signal?: AbortSignal): Promise<DemoNativeCollections['vms']> {
    const body = await this.get(`${this.regionPath()}/vms/${encodeURIComponent(vmId)}`, signal);
    if (!isRecord(body) || body.id !== vmId) throw new ProviderApiError(`the answer for VM ${vmId} is not that VM`);
    return body as unknown as DemoNativeCollections['vms'];
  }

  /**
   * Runs an owner's action on a VM (start, stop, pause, restart, resize with `flavor_id`), or deletes it; answers the
   * VM as the cloud has it after. Sent once: an action is not retried, as a retry after a lost answer could run it
   * twice.
   */
  async vmAction(vmId: string, action: { action: 'start' | 'stop' | 'pause' | 'restart' } | { action: 'resize'; flavor_id: string } | { action: 'delete' }, signal?: AbortSignal): Promise<DemoNativeCollections['vms']> {
    const path = `${this.regionPath()}/vms/${encodeURIComponent(vmId)}`;
    const body = action.action === 'delete'
      ? await this.send('DELETE', path, { signal })
      : await this.send('POST', `${path}/actions`, { signal, body: action });
    if (!isRecord(body) || body.id !== vmId) throw new ProviderApiError(`the ${action.action} answer of ${vmId} is not that VM`);
    return body as unknown as DemoNativeCollections['vms'];
  }

  /** `waitMs`: how long the server may hold the request on purpose (a long poll), on top of the timeout. */
  private get(path: string, signal?: AbortSignal, waitMs = 0): Promise<unknown> {
    return this.send('GET', path, { signal, waitMs, retried: true });
  }

  private async send(
    method: 'GET' | 'POST' | 'DELETE', path: string, options: { signal?: AbortSignal; waitMs?: number; body?: unknown; retried?: boolean },
  ): Promise<unknown> {
    const { signal, waitMs = 0, body } = options;
    const url = new URL(path, this.options.endpoint);
    const label = `${method} ${url.pathname}`;
    const send = (): Promise<Response> => this.options.fetch(url, {
      method,
      headers: {
        'x-access-key': this.options.accessKey, 'x-secret-key': this.options.secretKey, accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: withDeadline(signal, this.options.timeoutMs + waitMs),
    });
    let response: Response;
    try {
      response = options.retried ? await this.retry.send(label, send, signal) : await send();
    } catch (error: unknown) {
      if (error instanceof ProviderApiError) throw error;
      throw new ProviderApiError(`${label} failed: ${networkReason(error)}`, undefined, { cause: error });
    }
    if (response.status === 401 || response.status === 403) throw new InvalidCredentialsError();
    const text = await response.text();
    if (!response.ok) throw new ProviderApiError(`${label} answered HTTP ${response.status}${errorOf(text)}`, response.status);
    try {
      return JSON.parse(text);
    } catch (error: unknown) {
      throw new ProviderApiError(`${label} answered malformed JSON`, response.status, { cause: error });
    }
  }
}

/** The cloud's own words for a refusal (`{"error": ...}`), as `: words`, or nothing. */
function errorOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    return isRecord(body) && typeof body.error === 'string' ? `: ${body.error}` : '';
  } catch {
    return '';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** An id, ascending timestamps on the interval, and per counter one finite number per timestamp. */
function isMetricSeries(series: unknown, interval: number): boolean {
  if (!isRecord(series) || typeof series.id !== 'string' || !Array.isArray(series.timestamps) || !isRecord(series.values)) return false;
  const timestamps: unknown[] = series.timestamps;
  const onInterval = timestamps.every((t, i) => typeof t === 'number' && Number.isInteger(t) && t % interval === 0 && (i === 0 || t > (timestamps[i - 1] as number)));
  return onInterval && Object.values(series.values).every((values) =>
    Array.isArray(values) && values.length === timestamps.length && values.every((v) => typeof v === 'number' && Number.isFinite(v)));
}

/** A network failure's reason without its message, which may quote the URL. */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  return 'network error';
}
