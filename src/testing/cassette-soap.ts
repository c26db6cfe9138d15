/** The cookie vCenter keeps a SOAP session in. */
export const SESSION_COOKIE = 'vmware_soap_session';

/**
 * What a cassette writes instead of the `n`th session vCenter opened in a recording (1 first). A session's key is
 * both its cookie and a part of the ids of what it creates (a container view is `session[<key>]<uuid>`), and differs
 * on every run: a recording names sessions in the order they were opened, so a replay can check that a client sends
 * the session it was last given (after a new Login, the new one).
 */
export function sessionStandIn(n: number): string {
  return `session-${n}`;
}

export const SESSION_STAND_IN = /^session-\d+$/;

/**
 * A request body as a cassette keeps and matches it: the whitespace between elements dropped (an XML writer may
 * indent, the meaning is the same). Every other byte counts: a replayed client must ask exactly what was recorded.
 */
export function normalizedBody(body: string): string {
  return body.replace(/>\s+</g, '><').trim();
}

/** The vim25 method a SOAP envelope calls: the first element of its Body (`<RetrievePropertiesEx xmlns=...>`). */
export function soapMethodOf(envelope: string): string | undefined {
  return /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([\w]+)[\s>/]/.exec(envelope)?.[1];
}

/** The session cookie's value in a Cookie or Set-Cookie header, if it holds one. */
export function sessionCookieValue(header: string | readonly string[] | undefined): string | undefined {
  for (const line of typeof header === 'string' ? [header] : header ?? []) {
    for (const pair of line.split(';')) {
      const [name, ...value] = pair.trim().split('=');
      if (name === SESSION_COOKIE) return value.join('=').replace(/^"(.*)"$/, '$1');
    }
  }
  return undefined;
}
