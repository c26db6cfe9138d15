import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import nock from 'nock';

// nock takes over http and https as soon as it is loaded: every test of the run would then reach its real servers
// through nock's pass-through, not as in production. It intercepts only while a cassette plays.
nock.restore();

/** Where the cassettes are kept in the repository (tests run from dist/test/support). */
export const CASSETTE_DIR = resolve(__dirname, '..', '..', '..', 'test', 'cassettes');

/** The origin a cassette is replayed on: loopback, where nothing listens during a replay (nock answers first). */
export const REPLAY_ORIGIN = 'https://127.0.0.1:6443';

/** The bearer token a test gives the client while replaying; recordings never hold a real one. */
export const REPLAY_TOKEN = 'cassette-replay-token';

/** How a recorded response body that streams (a watch) ends. */
export type StreamEnd =
  /** The server ended the response cleanly. */
  | 'end'
  /** The connection broke before the response ended, as a cut TCP connection does (the client sees "Premature close"). */
  | 'cut'
  /** The response stays open until the client closes it: the recorder stopped reading, the live server kept it open. */
  | 'open';

export interface CassetteRequest {
  method: 'GET';
  path: string;
  /** The query, every parameter as a string; a request matches only with exactly these. */
  query: Record<string, string>;
}

export type CassetteResponse =
  | { status: number; headers: Record<string, string>; body: unknown }
  /** A streamed body: each chunk as sent (whole watch events end with "\n"; a cut one does not). */
  | { status: number; headers: Record<string, string>; chunks: string[]; end: StreamEnd };

export interface Interaction {
  request: CassetteRequest;
  response: CassetteResponse;
  /**
   * Present when the recorder made this interaction (or changed the live server's answer) itself, saying why: the
   * fault it stands for is one the live server does not produce on demand.
   */
  madeByRecorder?: string;
}

/** A recording of exchanges with a real server, replayed in order (same requests answer in the order recorded). */
export interface Cassette<S = Record<string, unknown>> {
  description: string;
  /** What the recording was made against (e.g. "kube-apiserver v1.20.2"). */
  recordedAgainst: string;
  /** What the test needs to know of the recorded cluster: its namespace, page size, object names. */
  scenario: S;
  interactions: Interaction[];
}

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

/**
 * A cassette with no secret left in it: `secrets` (tokens) replaced wherever they appear, credential headers dropped.
 * A certificate or key is refused rather than cut out: no recording should have reached one.
 */
export function scrub<S>(cassette: Cassette<S>, secrets: readonly string[]): Cassette<S> {
  let text = JSON.stringify(cassette);
  for (const secret of secrets) if (secret.length > 0) text = text.split(secret).join('<scrubbed>');
  const scrubbed = JSON.parse(text) as Cassette<S>;
  for (const { response } of scrubbed.interactions) {
    for (const name of Object.keys(response.headers)) if (SECRET_HEADERS.includes(name.toLowerCase())) delete response.headers[name];
  }
  assertNoSecrets(scrubbed, 'the recording');
  return scrubbed;
}

function assertNoSecrets(cassette: Cassette<unknown>, what: string): void {
  const text = JSON.stringify(cassette);
  if (PEM_BLOCK.test(text)) throw new Error(`${what} holds a certificate or key`);
  for (const { request, response } of cassette.interactions) {
    const names = [...Object.keys(response.headers), ...Object.keys((request as { headers?: object }).headers ?? {})];
    const found = names.find((name) => SECRET_HEADERS.includes(name.toLowerCase()));
    if (found) throw new Error(`${what} holds a ${found} header`);
  }
}

export function cassettePath(name: string): string {
  return join(CASSETTE_DIR, `${name}.json`);
}

export function writeCassette<S>(name: string, cassette: Cassette<S>, secrets: readonly string[]): void {
  writeFileSync(cassettePath(name), `${JSON.stringify(scrub(cassette, secrets), null, 2)}\n`);
}

export function loadCassette<S>(name: string): Cassette<S> {
  const cassette = JSON.parse(readFileSync(cassettePath(name), 'utf8')) as Cassette<S>;
  assertNoSecrets(cassette, `cassette ${name}`);
  return cassette;
}

/**
 * A cassette being replayed: every HTTP request of the process is answered by it (nock, active only while it plays;
 * nothing reaches the network), each interaction once, and only when the request carries REPLAY_TOKEN. A request it
 * does not match is kept and fails `assertPlayed` (the client also gets an error at once); so does an interaction
 * never asked for.
 */
export class CassettePlayer<S> {
  private readonly unmatched: string[] = [];
  private readonly scopes: nock.Scope[] = [];
  private readonly streams = new Set<Readable>();
  private readonly onNoMatch = (request: { method?: string; path?: string }): void => {
    this.unmatched.push(`${request.method ?? '?'} ${request.path ?? '?'}`);
  };

  private constructor(readonly name: string, readonly cassette: Cassette<S>) {}

  static replay<S>(name: string): CassettePlayer<S> {
    const player = new CassettePlayer<S>(name, loadCassette<S>(name));
    player.start();
    return player;
  }

  get scenario(): S {
    return this.cassette.scenario;
  }

  /** Fails naming every request the cassette did not match and every interaction never asked for. */
  assertPlayed(): void {
    const unused = this.scopes.flatMap((scope) => scope.pendingMocks());
    const problems = [
      ...this.unmatched.map((request) => `a request the cassette does not match: ${request}`),
      ...unused.map((interaction) => `an interaction never asked for: ${interaction}`),
    ];
    if (problems.length > 0) throw new Error(`cassette ${this.name}:\n  ${problems.join('\n  ')}`);
  }

  /** Stops answering: closes the streams still open, forgets the interactions, lets the network be used again. */
  stop(): void {
    nock.emitter.removeListener('no match', this.onNoMatch);
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  }

  private start(): void {
    if (!nock.isActive()) nock.activate();
    nock.disableNetConnect();
    nock.emitter.on('no match', this.onNoMatch);
    for (const interaction of this.cassette.interactions) {
      const { request, response } = interaction;
      const scope = nock(REPLAY_ORIGIN).matchHeader('authorization', `Bearer ${REPLAY_TOKEN}`);
      const interceptor = scope.intercept(request.path, request.method).query(request.query);
      if ('body' in response) {
        interceptor.reply(response.status, JSON.stringify(response.body), response.headers);
      } else {
        // Chunked, as a watch is: the client tells a response cut short from one ended only by that.
        interceptor.reply(response.status, () => this.stream(response.chunks, response.end), { ...response.headers, 'transfer-encoding': 'chunked' });
      }
      this.scopes.push(scope);
    }
  }

  private stream(chunks: readonly string[], end: StreamEnd): Readable {
    const queue = [...chunks];
    let cut = false;
    // Chunks are served as the client reads them, so the end comes after all of them, once the client is listening.
    const body = new Readable({
      read(): void {
        const next = queue.shift();
        if (next !== undefined) this.push(next);
        else if (end === 'end') this.push(null);
        else if (end === 'cut' && !cut) {
          cut = true;
          // What the client sees when the server's connection closes mid-response. On a timer: as on the wire, the
          // bytes before the cut reach the client (through in-process streams, a few ticks) before the close does.
          setTimeout(() => this.emit('error', Object.assign(new Error('the recorded connection was cut here'), { code: 'ECONNRESET' })), 20);
        }
        // 'open': nothing more, until the client closes the request.
      },
    });
    this.streams.add(body);
    body.once('close', () => this.streams.delete(body));
    return body;
  }
}
