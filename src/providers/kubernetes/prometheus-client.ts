import { HttpRetryPolicy, networkCode, ProviderApiError, withDeadline } from '../sdk';

export interface PrometheusClientOptions {
  /** The Prometheus server's base URL (http or https, possibly with a path prefix), e.g. http://127.0.0.1:9090 */
  url: string;
  /** A bearer token, for a Prometheus behind an authenticating proxy; null: none. */
  token: string | null;
  fetch: typeof globalThis.fetch;
  /** The longest one request may take. */
  timeoutMs: number;
  retry?: HttpRetryPolicy;
}

/** One series of a range query's answer: its labels and its [time, value] points (time in seconds, value as text). */
export interface PrometheusRangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/**
 * Asks a Prometheus server's HTTP API for range queries, in plain JSON over fetch. Every request goes through the
 * providers' retry policy; every failure becomes a ProviderApiError naming the server by host and port only (never
 * the token, which is sent as a header and appears in no message).
 */
export class PrometheusClient {
  private readonly retry: HttpRetryPolicy;
  private readonly endpoint: URL;

  constructor(private readonly options: PrometheusClientOptions) {
    this.retry = options.retry ?? new HttpRetryPolicy();
    // A base URL without its trailing slash would lose its last path segment to the relative one.
    this.endpoint = new URL('api/v1/query_range', options.url.endsWith('/') ? options.url : `${options.url}/`);
  }

  /**
   * `query` evaluated every `stepSeconds` from `start` to `end` (seconds, both included). Sent as a POST form, as
   * the queries name many pods and would not fit a URL.
   */
  async queryRange(query: string, start: number, end: number, stepSeconds: number, signal?: AbortSignal): Promise<PrometheusRangeSeries[]> {
    const call = `Prometheus query_range at ${this.where()}`;
    const body = new URLSearchParams({ query, start: String(start), end: String(end), step: String(stepSeconds) });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.options.token !== null) headers.authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await this.retry.send(call, () => this.options.fetch(this.endpoint, {
        method: 'POST', headers, body, signal: withDeadline(signal, this.options.timeoutMs),
      }), signal);
    } catch (error: unknown) {
      throw this.failure(call, error);
    }
    const text = await response.text().catch((error: unknown) => { throw this.failure(call, error); });
    if (response.status === 401 || response.status === 403) {
      throw new ProviderApiError(`${call}: the server refused the request (HTTP ${response.status}); check the Prometheus token`, response.status);
    }
    const answer = parseJson(text);
    if (!response.ok) {
      const reason = isObject(answer) && typeof answer.error === 'string' ? `: ${answer.error.slice(0, 500)}` : '';
      throw new ProviderApiError(`${call}: the server answered HTTP ${response.status}${reason}`, response.status);
    }
    return rangeSeries(answer, call);
  }

  private where(): string {
    const url = new URL(this.options.url);
    return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  }

  /** A failure to get an answer at all, by its socket code where it has one. */
  private failure(call: string, error: unknown): Error {
    if (error instanceof ProviderApiError) return error;
    const code = networkCode(error);
    if (code === 'ECONNREFUSED') return new ProviderApiError(`${call}: connection refused; is Prometheus running there?`, undefined, { cause: error });
    if (code !== undefined) return new ProviderApiError(`${call}: the connection failed (${code})`, undefined, { cause: error });
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
      return new ProviderApiError(`${call}: no answer in time`, undefined, { cause: error });
    }
    return new ProviderApiError(`${call}: the request failed (${error instanceof Error ? error.name : typeof error})`, undefined, { cause: error });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The series of a successful answer, checked: a matrix of labelled series of [time, text] points. */
function rangeSeries(answer: unknown, call: string): PrometheusRangeSeries[] {
  const bad = (what: string): ProviderApiError => new ProviderApiError(`${call}: the answer is not a Prometheus range result (${what})`);
  if (!isObject(answer)) throw bad('not JSON');
  if (answer.status !== 'success') throw bad(`status ${JSON.stringify(answer.status)}`);
  const data = answer.data;
  if (!isObject(data) || data.resultType !== 'matrix' || !Array.isArray(data.result)) throw bad('no matrix');
  return data.result.map((series: unknown): PrometheusRangeSeries => {
    if (!isObject(series) || !isObject(series.metric) || !Array.isArray(series.values)) throw bad('a series without labels or values');
    const metric: Record<string, string> = {};
    for (const [name, value] of Object.entries(series.metric)) if (typeof value === 'string') metric[name] = value;
    const values = series.values.map((point: unknown): [number, string] => {
      if (!Array.isArray(point) || typeof point[0] !== 'number' || typeof point[1] !== 'string') throw bad('a point that is not [time, "value"]');
      return [point[0], point[1]];
    });
    return { metric, values };
  });
}
