import type { Agent } from 'node:https';
import { request } from 'node:https';

/** What vCenter answered one HTTP request, read whole. */
export interface VimHttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** The session cookie it set (`vmware_soap_session=...`), if it set one. */
  readonly sessionCookie: string | undefined;
  readonly headers: Headers;
}

export interface VimHttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly agent: Agent;
  readonly signal: AbortSignal;
}

const SESSION_COOKIE = 'vmware_soap_session';

/** One HTTPS exchange through the client's agent, ended by `signal` (the caller's or the call's deadline). */
export function sendVimRequest(exchange: VimHttpRequest): Promise<VimHttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = exchange.body === undefined ? undefined : Buffer.from(exchange.body, 'utf8');
    const headers = { ...exchange.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) };
    const outgoing = request(exchange.url, { method: exchange.method, agent: exchange.agent, headers, signal: exchange.signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') answerHeaders.set(name, value);
        }
        resolve({
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
          sessionCookie: sessionCookieOf(response.headers['set-cookie']),
          headers: answerHeaders,
        });
      });
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

function sessionCookieOf(setCookie: readonly string[] | undefined): string | undefined {
  for (const cookie of setCookie ?? []) {
    const pair = cookie.split(';', 1)[0]?.trim();
    if (pair?.startsWith(`${SESSION_COOKIE}=`)) return pair;
  }
  return undefined;
}
