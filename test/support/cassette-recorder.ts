import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { CassetteRequest, Interaction } from './cassette';

/** Response headers a recording keeps: what the client reads. Others (audit ids, dates) only make recordings differ. */
const KEPT_HEADERS = ['content-type', 'retry-after'];

export interface LiveServer {
  /** https://127.0.0.1:<port> */
  url: string;
  caPem: string;
  /** The bearer token the recorder sends with the requests it makes itself; none for a server that takes no token. */
  token?: string;
}

/** One request sent to the live server as given (headers too: the relay passes a client's on). */
export interface LiveRequest {
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

/** What the live server answered, read whole, with only the headers a recording keeps. */
export interface LiveAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Every Set-Cookie it sent (they are never recorded: the relay names the sessions they open). */
  setCookies: string[];
}

/**
 * Records exchanges with a live HTTPS server as cassette interactions, in the order they were made: it sends each
 * request itself (bearer token, TLS verified against the server's CA) and keeps the request without its headers
 * and the response with only the headers the client reads, so no credential is written down. The recorder also
 * takes interactions it makes itself (the faults a live server will not produce on demand), each saying why.
 */
export class CassetteRecorder {
  readonly interactions: Interaction[] = [];

  constructor(private readonly server: LiveServer) {}

  /** Sends a GET, records it, and returns the status and the parsed JSON body. */
  async get(path: string, query: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const answer = await this.exchange({ method: 'GET', path, query, headers: this.credentialHeaders({ accept: 'application/json' }) });
    const body: unknown = JSON.parse(answer.text);
    this.interactions.push({ request: requestOf(path, query), response: { status: answer.status, headers: answer.headers, body } });
    return { status: answer.status, body };
  }

  /** Sends `live` to the live server as it is, without recording it (the relay records what the client saw). */
  async exchange(live: LiveRequest): Promise<LiveAnswer> {
    const response = await this.send(live);
    const text = await readAll(response);
    const setCookie = response.headers['set-cookie'];
    return { status: response.statusCode ?? 0, headers: keptHeaders(response), text, setCookies: setCookie ?? [] };
  }

  /**
   * Opens a streamed GET (a watch) and reads its lines until `enough(lines)` holds, then `quietMs` longer for what
   * comes next, then stops reading. Recorded as a response left open (what a live watch is until its timeout);
   * returns the recorded interaction, for the caller to cut, and the lines.
   */
  async stream(path: string, query: Record<string, string>, enough: (lines: string[]) => boolean, quietMs: number): Promise<{ interaction: Interaction; lines: string[] }> {
    const response = await this.send({ method: 'GET', path, query, headers: this.credentialHeaders({ accept: 'application/json' }) });
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      let settled = false;
      const stop = (): void => {
        if (settled) return;
        settled = true;
        setTimeout(() => { response.destroy(); resolve(); }, quietMs);
      };
      const deadline = setTimeout(() => reject(new Error(`${path}: the stream did not deliver what the recording needs in 60 s`)), 60_000);
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        pending += chunk;
        const complete = pending.split('\n');
        pending = complete.pop() ?? '';
        lines.push(...complete.filter((line) => line.length > 0));
        if (enough(lines)) { clearTimeout(deadline); stop(); }
      });
      response.on('error', () => undefined); // destroyed by stop()
      if (enough(lines)) { clearTimeout(deadline); stop(); }
    });
    const interaction: Interaction = {
      request: requestOf(path, query),
      response: { status: response.statusCode ?? 0, headers: keptHeaders(response), chunks: lines.map((line) => `${line}\n`), end: 'open' },
    };
    this.interactions.push(interaction);
    return { interaction, lines };
  }

  /** An interaction the recorder makes itself; `why` says which fault it stands for and why it is not the server's. */
  add(interaction: Omit<Interaction, 'madeByRecorder'>, why: string): void {
    this.interactions.push({ ...interaction, madeByRecorder: why });
  }

  private credentialHeaders(headers: Record<string, string>): Record<string, string> {
    return this.server.token === undefined ? headers : { ...headers, authorization: `Bearer ${this.server.token}` };
  }

  private send(live: LiveRequest): Promise<IncomingMessage> {
    const url = new URL(live.path, this.server.url);
    for (const [name, value] of Object.entries(live.query)) url.searchParams.set(name, value);
    const body = live.body === undefined ? undefined : Buffer.from(live.body, 'utf8');
    const headers = body === undefined ? live.headers : { ...live.headers, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      // Its own connection each time: the recorder's requests never share a socket with those it relays.
      const outgoing = request(url, { method: live.method, ca: this.server.caPem, headers, agent: false }, resolve);
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}

function requestOf(path: string, query: Record<string, string>): CassetteRequest {
  return { method: 'GET', path, query: { ...query } };
}

function keptHeaders(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => { text += chunk; });
    response.on('end', () => resolve(text));
    response.on('error', reject);
  });
}
