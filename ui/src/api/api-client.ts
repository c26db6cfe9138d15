import { ApiError, asError } from './api-error';

/** Query parameters; undefined and empty values are left out. */
export type QueryParams = Record<string, string | number | boolean | undefined | null>;

export interface ApiClientOptions {
  token: string;
  /** Called when the API refuses the token (401), before the call fails. */
  onUnauthorized: (message: string) => void;
}

const API_BASE = '/api/v1';

/** Calls the fleet's API at the page's own origin with the signed-in token; failures become ApiErrors. */
export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  get<T>(path: string, query: QueryParams = {}): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${API_BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error: unknown) {
      throw new ApiError(0, `the fleet server could not be reached (${asError(error).message})`);
    }
    const answer = await readJson(response);
    if (response.status === 401) {
      const message = errorMessage(answer) ?? 'unauthorized';
      this.options.onUnauthorized(message);
      throw new ApiError(401, message);
    }
    if (!response.ok) {
      throw new ApiError(response.status, errorMessage(answer) ?? `${method} ${path.split('?')[0]} answered HTTP ${response.status}`);
    }
    // The API's schemas fix the shape of each answer; T names the route's answer (see api-types).
    return answer as T;
  }
}

/** `path?key=value&...` without the undefined, null and empty values. */
export function withQuery(path: string, query: QueryParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A proxy's HTML error page, say: the status tells what happened.
    return undefined;
  }
}

function errorMessage(answer: unknown): string | undefined {
  if (typeof answer === 'object' && answer !== null && 'error' in answer && typeof answer.error === 'string') return answer.error;
  return undefined;
}
