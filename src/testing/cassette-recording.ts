import nock from 'nock';
import { interceptHttp, releaseHttp, REPLAY_ORIGIN, REPLAY_TOKEN, type Cassette, type CassetteResponse, type Interaction } from './cassette';

/** The live API a recording's requests go to, and the token it takes (which no cassette keeps). */
export interface LiveApi {
  endpoint: string;
  token: string;
}

/** Response headers a recording keeps: what a client reads. Others (dates, request ids) only make recordings differ. */
const KEPT_HEADERS = ['content-type', 'retry-after'];

/**
 * Records a cassette while a test runs as it does against one: the provider under test talks to the replay origin
 * with the replay token, and each of its requests is sent on to the live API with the live token, answered with the
 * live answer and kept, in order, as an interaction (without request headers; with only the response headers a
 * client reads). `finish` hands the cassette to be written (scrubbed of the token and the live endpoint).
 */
export class CassetteRecording {
  private readonly interactions: Interaction[] = [];
  private readonly failures: string[] = [];

  private constructor(private readonly live: LiveApi, private readonly save: (cassette: Cassette<Record<string, never>>) => void, private readonly description: string) {}

  static start(live: LiveApi, description: string, save: (cassette: Cassette<Record<string, never>>) => void): CassetteRecording {
    const recording = new CassetteRecording(live, save, description);
    interceptHttp();
    // Only the live API is reached, and only by the recording's own requests.
    nock.enableNetConnect(new URL(live.endpoint).host);
    for (const method of ['get', 'post'] as const) {
      nock(REPLAY_ORIGIN).persist()[method](/.*/).reply(async function relay(uri, body) {
        return recording.relay(method === 'get' ? 'GET' : 'POST', uri, typeof body === 'string' ? body : JSON.stringify(body), this.req.headers);
      });
    }
    return recording;
  }

  /** Writes the cassette, unless a request failed to reach the live API (then it fails, saying which). */
  assertPlayed(): void {
    if (this.failures.length > 0) throw new Error(`the recording could not reach the live API:\n  ${this.failures.join('\n  ')}`);
    // The live endpoint may show in answers (links to next pages): a replay knows it as the replay origin.
    const interactions = JSON.parse(JSON.stringify(this.interactions).split(new URL(this.live.endpoint).origin).join(REPLAY_ORIGIN)) as Interaction[];
    this.save({ description: this.description, recordedAgainst: `a live API, recorded ${new Date().toISOString().slice(0, 10)}`, authentication: 'bearer-token', scenario: {}, interactions });
  }

  stop(): void {
    releaseHttp();
  }

  private async relay(method: 'GET' | 'POST', uri: string, body: string, headers: Record<string, string>): Promise<[number, string, Record<string, string>]> {
    if (headers.authorization !== `Bearer ${REPLAY_TOKEN}`) return [401, JSON.stringify({ error: 'a recording relays only requests made with the replay token' }), {}];
    const url = new URL(uri, REPLAY_ORIGIN);
    const liveUrl = new URL(`${url.pathname}${url.search}`, this.live.endpoint);
    try {
      const response = await fetch(liveUrl, {
        method, headers: { authorization: `Bearer ${this.live.token}`, accept: headers.accept ?? 'application/json', ...(method === 'POST' ? { 'content-type': headers['content-type'] ?? 'application/json' } : {}) },
        body: method === 'POST' ? body : undefined,
      });
      const text = await response.text();
      const kept = Object.fromEntries(KEPT_HEADERS.flatMap((name) => {
        const value = response.headers.get(name);
        return value === null ? [] : [[name, value]];
      }));
      this.interactions.push({
        request: { method, path: url.pathname, query: Object.fromEntries(url.searchParams), ...(method === 'POST' ? { body } : {}) },
        response: responseOf(response.status, kept, text),
      });
      return [response.status, text, kept];
    } catch (error: unknown) {
      this.failures.push(`${method} ${url.pathname}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }
}

/** A JSON answer as its parsed body, any other as its text. */
function responseOf(status: number, headers: Record<string, string>, text: string): CassetteResponse {
  if (headers['content-type']?.includes('json')) {
    try {
      return { status, headers, body: JSON.parse(text) as unknown };
    } catch {
      // Not JSON after all: kept as sent.
    }
  }
  return { status, headers, text };
}
