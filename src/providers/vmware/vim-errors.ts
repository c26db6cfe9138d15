import { ProviderApiError, isUntrustedCertificateCode, networkCode } from '../sdk';
import { CertificatePinMismatchError } from './certificate-pin-mismatch-error';

/** Codes of a host that could not be reached at all. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/** A failure that asking again cannot change: the certificate is not trusted, or not the pinned one. */
export function isPermanentNetworkFailure(error: unknown): boolean {
  if (error instanceof CertificatePinMismatchError) return true;
  const code = networkCode(error);
  return code !== undefined && (isUntrustedCertificateCode(code) || code.startsWith('ERR_OSSL') || code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER');
}

/**
 * The fleet's error for a call that got no answer, saying which of the operator's problems it is: an unreachable
 * host, a refused connection, a certificate that is not trusted or not the pinned one, no TLS at all, no answer in
 * time, or the caller's abort. Built from socket codes only, naming the server by host and port: no message here
 * can hold a password or a session cookie.
 */
export function translateNetworkFailure(error: unknown, call: string, where: string, timedOut: { deadlineMs: number; expired: boolean; aborted: boolean }): ProviderApiError {
  if (error instanceof ProviderApiError) return error;
  if (timedOut.aborted) return new ProviderApiError(`${call}: aborted`, undefined, { cause: error });
  if (timedOut.expired) return new ProviderApiError(`${call}: no answer from ${where} within ${timedOut.deadlineMs / 1000} s`, undefined, { cause: error });
  if (error instanceof CertificatePinMismatchError) {
    return new ProviderApiError(`${call}: TLS failed: the certificate of ${where} has SHA-256 fingerprint ${error.presented}, which is not the pinned one (${error.pinned})`, undefined, { cause: error });
  }
  const code = networkCode(error);
  if (isUntrustedCertificateCode(code)) {
    return new ProviderApiError(
      `${call}: TLS failed: the certificate of ${where} is not trusted (${code}); give the CA certificate that signed it, pin its SHA-256 fingerprint, or set insecureSkipTlsVerify`,
      undefined, { cause: error },
    );
  }
  if (code?.startsWith('ERR_OSSL')) return new ProviderApiError(`${call}: TLS failed: the CA certificate given could not be used (${code})`, undefined, { cause: error });
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    return new ProviderApiError(`${call}: TLS failed: no TLS handshake with ${where} (${code}); is it vCenter's HTTPS port?`, undefined, { cause: error });
  }
  if (code === 'ECONNREFUSED') return new ProviderApiError(`${call}: connection refused by ${where}; is vCenter running there?`, undefined, { cause: error });
  if (code !== undefined && UNREACHABLE_CODES.has(code)) return new ProviderApiError(`${call}: ${where} could not be reached (${code})`, undefined, { cause: error });
  if (code !== undefined) return new ProviderApiError(`${call}: the connection to ${where} failed (${code})`, undefined, { cause: error });
  return new ProviderApiError(`${call}: the call to ${where} failed (${error instanceof Error ? error.name : typeof error})`, undefined, { cause: error });
}
