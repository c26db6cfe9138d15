import { InvalidCredentialsError, ProviderApiError, isUntrustedCertificateCode, networkCode } from '../sdk';
import { RbacRefusedError } from './rbac-refused-error';

/** A failure that asking again cannot change: the certificate is not trusted, or the CA given cannot be read. */
export function isPermanentNetworkFailure(error: unknown): boolean {
  const code = networkCode(error);
  return code !== undefined && (isUntrustedCertificateCode(code) || code.startsWith('ERR_OSSL'));
}

/**
 * The fleet's error for a failed call, saying what failed in the operator's words: refused credentials, an RBAC
 * refusal naming the verb and resource (`call`, e.g. "list pods (cluster-wide)"), an untrusted certificate, a
 * connection refused. Built from status codes and socket codes only: the client's own messages may quote
 * request details, and no message here can hold the token. `status` is the HTTP status the call was answered with,
 * if it was (this module leaves client-node's exception classes to the client, which alone loads client-node).
 */
export function translateKubeError(error: unknown, call: string, server: string, status?: number): Error {
  if (status !== undefined) {
    if (status === 401) return new InvalidCredentialsError(`the API server refused the token (HTTP 401 on ${call})`);
    if (status === 403) return new RbacRefusedError(`the token may not ${call}: RBAC refused it (HTTP 403)`);
    if (status === 404) return new ProviderApiError(`${call}: not found (HTTP 404)`, 404);
    if (status === 410) return new ProviderApiError(`${call}: the listing's continue token expired (HTTP 410 Gone)`, 410);
    return new ProviderApiError(`${call}: the API server answered HTTP ${status}`, status);
  }
  if (error instanceof ProviderApiError || error instanceof InvalidCredentialsError) return error;
  const code = networkCode(error);
  const where = hostOf(server);
  if (isUntrustedCertificateCode(code)) {
    return new ProviderApiError(
      `${call}: TLS failed: the API server's certificate at ${where} is not trusted (${code}); give the CA certificate that signed it, or set insecureSkipTlsVerify`,
      undefined, { cause: error },
    );
  }
  if (code?.startsWith('ERR_OSSL')) return new ProviderApiError(`${call}: TLS failed: the CA certificate given could not be used (${code})`, undefined, { cause: error });
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return new ProviderApiError(`${call}: TLS failed: no TLS handshake with ${where} (${code}); is it the API server's HTTPS port?`, undefined, { cause: error });
  }
  if (code === 'ECONNREFUSED') return new ProviderApiError(`${call}: connection refused by ${where}; is the API server running there?`, undefined, { cause: error });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ProviderApiError(`${call}: connection failed: host of ${where} not found (${code})`, undefined, { cause: error });
  if (code !== undefined) return new ProviderApiError(`${call}: connection to ${where} failed (${code})`, undefined, { cause: error });
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return new ProviderApiError(`${call}: no answer from ${where} in time`, undefined, { cause: error });
  }
  return new ProviderApiError(`${call}: the call failed (${error instanceof Error ? error.name : typeof error})`, undefined, { cause: error });
}

/** host:port of the server URL, which names no credentials (the config schema refuses user:password@). */
function hostOf(server: string): string {
  try {
    const url = new URL(server);
    return `${url.hostname}:${url.port || '443'}`;
  } catch {
    return 'the API server';
  }
}

/**
 * The fleet's error for a watch that failed: refused with an HTTP status (the watch client reports it as
 * `statusCode`) or broken by the network. A 410 Gone is not handled here: it means the stream's position is lost.
 */
export function translateWatchError(error: unknown, call: string, server: string): Error {
  const status = typeof error === 'object' && error !== null ? (error as { statusCode?: unknown }).statusCode : undefined;
  return translateKubeError(error, call, server, typeof status === 'number' ? status : undefined);
}
