/** The server's certificate is not the one whose SHA-256 fingerprint the provider pins; nothing was sent to it. */
export class CertificatePinMismatchError extends Error {
  readonly code = 'ERR_CERT_FINGERPRINT_MISMATCH';

  constructor(readonly presented: string, readonly pinned: string) {
    super(`the certificate's SHA-256 fingerprint is ${presented}, not the pinned one (${pinned})`);
    this.name = new.target.name;
  }
}
