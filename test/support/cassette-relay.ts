import { setTimeout as sleep } from 'node:timers/promises';
import nock from 'nock';
import type { CassetteRequest, TextResponse } from './cassette';
import type { CassetteRecorder, LiveAnswer } from './cassette-recorder';
import { normalizedBody, SESSION_COOKIE, sessionCookieValue, sessionStandIn, soapMethodOf } from '../../src/testing/cassette-soap';

/** A client's request as the relay got it, and as a cassette will hold it. */
export type RelayedRequest = CassetteRequest;

/** How the recorder answers one relayed request: the live server's answer as it is, or one it changed or made. */
export interface RelayReply {
  response: TextResponse;
  /** Why the recorder changed or made the answer; absent when it is the live server's own. */
  madeByRecorder?: string;
}

/**
 * Decides the answer to one request: `live()` passes it to the live server and gives its answer (with stand-ins for
 * secrets, as the client sees it); a hook may change that answer, answer without asking, or act on the live server
 * first (end the session, change its inventory) before asking.
 */
export type RelayHook = (request: RelayedRequest, live: () => Promise<RelayReply>, relay: CassetteRelay) => Promise<RelayReply>;

export interface CassetteRelayOptions {
  /** The origin the client is configured with (the replay origin, so the recording holds what a replay is asked). */
  origin: string;
  recorder: CassetteRecorder;
  /** Secrets the client is given stand-ins for: `standIn` in what the client sends becomes `live` on the wire. */
  standIns: readonly { live: string; standIn: string }[];
  hook?: RelayHook;
}

/**
 * Records what a real client asks a live server, the client's code unchanged: while it relays, requests to `origin`
 * are intercepted (nock) and sent on to the live server by the recorder, and the answers handed back and recorded,
 * in order. The client never holds a secret: it is configured with stand-ins (REPLAY_PASSWORD for the password),
 * which the relay replaces on the way out, and each vSphere session the server opens is handed to it as
 * `session-<n>` (its cookie, and the session's key wherever an answer holds it, as in a view's id), replaced back
 * on the way out. So the recording is exactly the traffic a replay will see.
 */
export class CassetteRelay {
  private readonly live = new Map<string, string>();
  private sessions = 0;

  private constructor(private readonly options: CassetteRelayOptions) {
    for (const { live, standIn } of options.standIns) this.live.set(standIn, live);
  }

  static start(options: CassetteRelayOptions): CassetteRelay {
    const relay = new CassetteRelay(options);
    if (!nock.isActive()) nock.activate();
    // Only the client's origin is intercepted: the recorder's own requests to the live server pass through.
    nock(options.origin).persist().intercept(() => true, 'GET').reply(relay.replyFunction());
    nock(options.origin).persist().intercept(() => true, 'POST').reply(relay.replyFunction());
    return relay;
  }

  /** The live value behind a stand-in (a session's key, to end that session on the live server). */
  liveValueOf(standIn: string): string {
    const live = this.live.get(standIn);
    if (live === undefined) throw new Error(`no live value behind ${standIn}`);
    return live;
  }

  /** Every live value the client was given a stand-in for: the secrets a recording is scrubbed of. */
  get secrets(): string[] {
    return [...this.live.values()];
  }

  stop(): void {
    nock.cleanAll();
    nock.restore();
  }

  private replyFunction() {
    const relay = this;
    return async function (this: nock.ReplyFnContext, path: string, body: nock.Body): Promise<[number, string, Record<string, string>]> {
      const headers = this.req.headers;
      const url = new URL(path, relay.options.origin);
      const text = typeof body === 'string' ? (body === '' ? undefined : body) : JSON.stringify(body);
      const cookie = sessionCookieValue(headers.cookie);
      const soapAction = headers.soapaction;
      const method = soapAction === undefined || text === undefined ? undefined : soapMethodOf(text);
      const request: RelayedRequest = {
        method: this.req.method === 'POST' ? 'POST' : 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams),
        ...(method === undefined || soapAction === undefined ? {} : { soap: { action: soapAction, method, session: cookie ?? null } }),
        ...(text === undefined ? {} : { body: normalizedBody(text) }),
      };
      const forward = async (): Promise<RelayReply> => relay.answer(await relay.options.recorder.exchange({
        method: request.method, path: request.path, query: request.query, body: text === undefined ? undefined : relay.toLive(text),
        headers: relay.forwardedHeaders(headers),
      }));
      const reply = await (relay.options.hook ?? ((_request, live) => live()))(request, forward, relay);
      relay.options.recorder.interactions.push({ request, response: reply.response, ...(reply.madeByRecorder === undefined ? {} : { madeByRecorder: reply.madeByRecorder }) });
      // A held answer, as a slow server gives it: a client whose deadline is shorter has given up by then.
      if (reply.response.delayMs !== undefined) await sleep(reply.response.delayMs);
      const answerHeaders: Record<string, string> = { ...reply.response.headers };
      if (reply.response.setsSession !== undefined) answerHeaders['set-cookie'] = `${SESSION_COOKIE}=${reply.response.setsSession}; HttpOnly`;
      return [reply.response.status, reply.response.text, answerHeaders];
    };
  }

  /** The live server's answer as the client is to see it: a new session named, live secrets replaced by stand-ins. */
  private answer(live: LiveAnswer): RelayReply {
    let setsSession: string | undefined;
    const key = sessionCookieValue(live.setCookies);
    if (key !== undefined) {
      setsSession = [...this.live].find(([, value]) => value === key)?.[0];
      if (setsSession === undefined) {
        this.sessions += 1;
        setsSession = sessionStandIn(this.sessions);
        this.live.set(setsSession, key);
      }
    }
    return { response: { status: live.status, headers: live.headers, text: this.toStandIns(live.text), ...(setsSession === undefined ? {} : { setsSession }) } };
  }

  /** What the client sent that the live server reads: its content type and SOAPAction, its session's live cookie. */
  private forwardedHeaders(headers: Record<string, string>): Record<string, string> {
    const forwarded: Record<string, string> = {};
    for (const name of ['content-type', 'soapaction', 'accept']) if (headers[name] !== undefined) forwarded[name] = headers[name];
    const session = sessionCookieValue(headers.cookie);
    if (session !== undefined) forwarded.cookie = `${SESSION_COOKIE}=${this.live.get(session) ?? session}`;
    return forwarded;
  }

  private toLive(text: string): string {
    let live = text;
    for (const [standIn, value] of this.live) live = live.split(standIn).join(value);
    return live;
  }

  private toStandIns(text: string): string {
    let replaced = text;
    for (const [standIn, value] of this.live) replaced = replaced.split(value).join(standIn);
    return replaced;
  }
}
