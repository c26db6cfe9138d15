import { Readable } from 'node:stream';
import nock from 'nock';
import { normalizedBody, SESSION_COOKIE, SESSION_STAND_IN, soapMethodOf } from './cassette-soap';

// nock takes over http and https as soon as it is loaded: every test of the run would then reach its real servers
// through nock's pass-through, not as in production. It intercepts only while a cassette plays.
nock.restore();

/** Sends every HTTP request of the process to nock's interceptors, and none to the network (see releaseHttp). */
export function interceptHttp(): void {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
}

/** Forgets every interceptor and gives HTTP back to the network. */
export function releaseHttp(): void {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
}

/** The origin a cassette is replayed on: loopback, where nothing listens during a replay (nock answers first). */
export const REPLAY_ORIGIN = 'https://127.0.0.1:6443';

/** The bearer token a test gives the client while replaying; recordings never hold a real one. */
export const REPLAY_TOKEN = 'cassette-replay-token';

/** The password a test gives a vSphere client while replaying; a recording holds it in Login's body, never a real one. */
export const REPLAY_PASSWORD = 'cassette-replay-password';

/** How a recorded response body that streams (a watch) ends. */
export type StreamEnd =
  /** The server ended the response cleanly. */
  | 'end'
  /** The connection broke before the response ended, as a cut TCP connection does (the client sees "Premature close"). */
  | 'cut'
  /** The response stays open until the client closes it: the recorder stopped reading, the live server kept it open. */
  | 'open';

/**
 * How the replayed client proves who it is, as the provider type does: a bearer token (REPLAY_TOKEN) on every request,
 * or a vSphere session: Login with REPLAY_PASSWORD in its body, then the session cookie vCenter set on every call.
 */
export type CassetteAuthentication = 'bearer-token' | 'vim-session';

/** A SOAP call: what its request carries besides the body, and which method the body calls (for people and errors). */
export interface SoapCall {
  /** The SOAPAction header, e.g. urn:vim25/6.5 (vSphere names the API version there, not the method). */
  action: string;
  method: string;
  /** The session the call was made in (the stand-in its cookie named: session-1, ...), or null when it sent none. */
  session: string | null;
}

export interface CassetteRequest {
  method: 'GET' | 'POST';
  path: string;
  /** The query, every parameter as a string; a request matches only with exactly these. */
  query: Record<string, string>;
  /** Present for a SOAP call; it matches only with the same SOAPAction, session and (normalized) body. */
  soap?: SoapCall;
  /** The body sent, as normalizedBody writes it. */
  body?: string;
}

interface ResponseBase {
  status: number;
  headers: Record<string, string>;
  /**
   * The answer comes this long after the request (the recorder held it; the live server answered at once): a client
   * whose deadline is shorter gives up first.
   */
  delayMs?: number;
}

export interface JsonResponse extends ResponseBase {
  body: unknown;
}

/** A text body, as sent (a SOAP envelope); `setsSession` names the session a Login answer's cookie opened. */
export interface TextResponse extends ResponseBase {
  text: string;
  setsSession?: string;
}

/** A streamed body: each chunk as sent (whole watch events end with "\n"; a cut one does not). */
export interface StreamResponse extends ResponseBase {
  chunks: string[];
  end: StreamEnd;
}

export type CassetteResponse = JsonResponse | TextResponse | StreamResponse;

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
  authentication: CassetteAuthentication;
  /** What the test needs to know of the recorded system: its namespace, page size, object names. */
  scenario: S;
  interactions: Interaction[];
}

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];
/** A password in a SOAP body (Login's), with what it holds. */
const PASSWORD_ELEMENT = /<(?:[\w-]+:)?password>([^<]*)<\/(?:[\w-]+:)?password>/g;
/** A session cookie written out, with its value. */
const SESSION_COOKIE_VALUE = new RegExp(`${SESSION_COOKIE}=([^;",\\s]*)`, 'g');
/** A session's key in the id of an object it created (vCenter's `session[<key>]<uuid>`). */
const SESSION_IN_ID = /session\[([^\]]*)\]/g;

/**
 * A cassette with no secret left in it: `secrets` (tokens, passwords, session keys) replaced wherever they appear,
 * credential headers dropped. A certificate or key is refused rather than cut out: no recording should have reached
 * one; so is a password other than REPLAY_PASSWORD or a session cookie other than a stand-in (the recorder replaces
 * them as it records; finding one here means it missed one).
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

/** Throws, saying what it found, when `cassette` holds a credential. */
export function assertNoSecrets(cassette: Cassette<unknown>, what: string): void {
  const text = JSON.stringify(cassette);
  if (PEM_BLOCK.test(text)) throw new Error(`${what} holds a certificate or key`);
  for (const { request, response } of cassette.interactions) {
    const names = [...Object.keys(response.headers), ...Object.keys((request as { headers?: object }).headers ?? {})];
    const found = names.find((name) => SECRET_HEADERS.includes(name.toLowerCase()));
    if (found) throw new Error(`${what} holds a ${found} header`);
  }
  for (const [, password] of text.matchAll(PASSWORD_ELEMENT)) {
    if (password !== REPLAY_PASSWORD) throw new Error(`${what} holds a password other than the replay password`);
  }
  for (const [, session] of text.matchAll(SESSION_COOKIE_VALUE)) {
    if (!SESSION_STAND_IN.test(session)) throw new Error(`${what} holds a ${SESSION_COOKIE} cookie that is not a stand-in`);
  }
  for (const [, session] of text.matchAll(SESSION_IN_ID)) {
    if (!SESSION_STAND_IN.test(session)) throw new Error(`${what} holds a session key that is not a stand-in`);
  }
}

/**
 * A cassette being replayed: every HTTP request of the process is answered by it (nock, active only while it plays;
 * nothing reaches the network), each interaction once, and only when the request proves itself as the cassette's
 * `authentication` says (REPLAY_TOKEN; or REPLAY_PASSWORD and the session cookie the cassette's answers set). A
 * SOAP call matches on path, SOAPAction, session and its normalized body, so a client that asks anything else of
 * vCenter, or asks it in another session, is not answered. What differs from run to run was made constant when the
 * cassette was recorded (sessions are stand-ins, and so are the session keys in the ids of views; see cassette-soap),
 * and every other id a replayed client sends comes from the cassette's own answers: so bodies are matched exactly,
 * but for whitespace between elements. A request it does not match is kept and fails
 * `assertPlayed` (the client also gets an error at once); so does an interaction never asked for.
 */
export class CassettePlayer<S> {
  private readonly unmatched: string[] = [];
  private readonly played: { scope: nock.Scope; interaction: Interaction }[] = [];
  private readonly streams = new Set<Readable>();
  private readonly onNoMatch = (request: { method?: string; path?: string }, _options?: unknown, body?: string): void => {
    const method = typeof body === 'string' ? soapMethodOf(body) : undefined;
    this.unmatched.push(`${request.method ?? '?'} ${request.path ?? '?'}${method === undefined ? '' : ` (${method})`}`);
  };

  private constructor(readonly name: string, readonly cassette: Cassette<S>) {}

  /** Answers every HTTP request of the process from `cassette` (named `name` in failures) until stopped. */
  static play<S>(name: string, cassette: Cassette<S>): CassettePlayer<S> {
    const player = new CassettePlayer<S>(name, cassette);
    player.start();
    return player;
  }

  get scenario(): S {
    return this.cassette.scenario;
  }

  /** Fails naming every request the cassette did not match and every interaction never asked for. */
  assertPlayed(): void {
    const unused = this.played.filter(({ scope }) => !scope.isDone()).map(({ interaction }) => requestName(interaction.request));
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
    releaseHttp();
  }

  private start(): void {
    interceptHttp();
    nock.emitter.on('no match', this.onNoMatch);
    for (const interaction of this.cassette.interactions) {
      const { request, response } = interaction;
      const scope = this.scopeFor(request);
      const { body } = request;
      const interceptor = scope.intercept(request.path, request.method, body === undefined ? undefined : (sent: unknown) => typeof sent === 'string' && normalizedBody(sent) === body)
        .query(request.query);
      if (response.delayMs !== undefined) interceptor.delay(response.delayMs);
      if ('body' in response) {
        interceptor.reply(response.status, JSON.stringify(response.body), response.headers);
      } else if ('text' in response) {
        const headers: Record<string, string> = { ...response.headers };
        if (response.setsSession !== undefined) headers['set-cookie'] = `${SESSION_COOKIE}=${response.setsSession}; HttpOnly`;
        interceptor.reply(response.status, response.text, headers);
      } else {
        // Chunked, as a watch is: the client tells a response cut short from one ended only by that.
        interceptor.reply(response.status, () => this.stream(response.chunks, response.end), { ...response.headers, 'transfer-encoding': 'chunked' });
      }
      this.played.push({ scope, interaction });
    }
  }

  /** The requests one interaction answers: to the replay origin, proving themselves as the cassette says. */
  private scopeFor(request: CassetteRequest): nock.Scope {
    if (this.cassette.authentication === 'bearer-token') return nock(REPLAY_ORIGIN).matchHeader('authorization', `Bearer ${REPLAY_TOKEN}`);
    // A vSphere client sends its session's cookie, and no other; a call made before Login (or a GET of the API
    // version) sends none. The password is matched in Login's body.
    const session = request.soap?.session ?? null;
    const scope = session === null ? nock(REPLAY_ORIGIN, { badheaders: ['cookie'] }) : nock(REPLAY_ORIGIN).matchHeader('cookie', `${SESSION_COOKIE}=${session}`);
    return request.soap === undefined ? scope : scope.matchHeader('soapaction', request.soap.action);
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

/** An interaction's request as errors name it: method and URL, and the SOAP method it calls. */
function requestName(request: CassetteRequest): string {
  return `${request.method} ${REPLAY_ORIGIN}${request.path}${request.soap === undefined ? '' : ` (${request.soap.method}${request.soap.session === null ? '' : `, ${request.soap.session}`})`}`;
}
