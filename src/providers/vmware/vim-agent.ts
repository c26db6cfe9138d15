import { Agent, type AgentOptions } from 'node:https';
import type { ClientRequestArgs } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';
import { CertificatePinMismatchError } from './certificate-pin-mismatch-error';

/** How the client trusts vCenter's certificate: at most one of the three; none means the system's CAs. */
export interface VimTlsOptions {
  /** PEM of the CA that signed vCenter's certificate (its VMCA's root, or the certificate itself when self-signed). */
  caCertificate: string | null;
  /** The SHA-256 fingerprint of vCenter's own certificate (AA:BB:... or 64 hex digits), trusted whatever signed it. */
  certificateFingerprint: string | null;
  /** Trust any certificate: for a lab only, and never the default. */
  insecureSkipTlsVerify: boolean;
}

/** Connections to vCenter in flight at once, and idle ones kept for the next calls. */
const MAX_SOCKETS = 8;
const MAX_FREE_SOCKETS = 4;

/** A fingerprint as Node writes it: upper-case hex pairs joined by colons; undefined when it is not 32 bytes of hex. */
export function normalizeFingerprint(fingerprint: string): string | undefined {
  const hex = fingerprint.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(':');
}

/**
 * The client's keep-alive agent for these TLS settings. Checked eagerly: settings that contradict each other are
 * a configuration mistake, not a choice to make silently.
 */
export function vimAgent(tls: VimTlsOptions): Agent {
  const options: AgentOptions = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_FREE_SOCKETS };
  const ways = [tls.caCertificate !== null, tls.certificateFingerprint !== null, tls.insecureSkipTlsVerify].filter(Boolean).length;
  if (ways > 1) throw new Error('give a CA certificate, a certificate fingerprint or insecureSkipTlsVerify, not more than one');
  if (tls.certificateFingerprint !== null) {
    const pinned = normalizeFingerprint(tls.certificateFingerprint);
    if (pinned === undefined) throw new Error('the certificate fingerprint must be a SHA-256 fingerprint: 32 bytes in hex, with or without colons');
    return new PinningAgent(options, pinned);
  }
  if (tls.insecureSkipTlsVerify) return new Agent({ ...options, rejectUnauthorized: false });
  return new Agent({ ...options, rejectUnauthorized: true, ...(tls.caCertificate === null ? {} : { ca: tls.caCertificate }) });
}

/**
 * Trusts the one certificate whose SHA-256 fingerprint is pinned, whatever signed it (vCenter's certificate is
 * often self-signed or signed by its own VMCA). Node calls `checkServerIdentity` only for a chain it could verify,
 * which a self-signed certificate is not, so the fingerprint is compared once the handshake is done instead, and the
 * connection is handed to the request only when it matches: a body (a Login's password) is never written to a
 * server that is not the pinned one.
 */
class PinningAgent extends Agent {
  constructor(options: AgentOptions, private readonly pinned: string) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const host = options.host ?? options.hostname ?? 'localhost';
    const connectOptions: ConnectionOptions = {
      ...(options as ConnectionOptions), host, rejectUnauthorized: false,
      // An IP address is no server name (RFC 6066), and Node warns when asked to send one.
      servername: isIP(host) === 0 ? host : '',
    };
    const socket = connect(connectOptions);
    const fail = (error: Error): void => callback?.(error, socket);
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.removeListener('error', fail);
      const presented = socket.getPeerCertificate().fingerprint256;
      if (presented === this.pinned) {
        callback?.(null, socket);
        return;
      }
      const mismatch = new CertificatePinMismatchError(presented, this.pinned);
      socket.destroy();
      callback?.(mismatch, socket);
    });
    return undefined;
  }
}
