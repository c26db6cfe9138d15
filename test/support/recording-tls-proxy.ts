import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** One exchange the proxy passed on: the request's path and body, and the server's answer as it came. */
export interface ProxiedExchange {
  path: string;
  requestBody: string;
  status: number;
  responseBody: string;
}

/**
 * A pass-through HTTPS proxy on 127.0.0.1 in front of a live server, keeping every exchange it passes on, for a
 * test that must know exactly what the server answered a client it does not hold (a server whose answers differ
 * from one call to the next cannot be asked again for comparison). It changes nothing in either direction: the
 * client reaches the server through it as it would directly, trusting the proxy's own certificate (self-signed for
 * 127.0.0.1, made fresh by openssl for each proxy), which the proxy gives as its SHA-256 fingerprint.
 */
export class RecordingTlsProxy {
  readonly exchanges: ProxiedExchange[] = [];

  private constructor(private readonly server: Server, private readonly agent: Agent, readonly fingerprint: string) {}

  /** A proxy to `target` (https://host:port), whose certificate is checked against `targetCaPem`. */
  static async start(target: string, targetCaPem: string): Promise<RecordingTlsProxy> {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-proxy-'));
    let key: Buffer;
    let cert: Buffer;
    try {
      await execFileAsync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ]);
      [key, cert] = await Promise.all([readFile(join(dir, 'key.pem')), readFile(join(dir, 'cert.pem'))]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const upstream = new URL(target);
    const agent = new Agent({ keepAlive: true, ca: targetCaPem });
    const server = createServer({ key, cert });
    const proxy = new RecordingTlsProxy(server, agent, new X509Certificate(cert).fingerprint256);
    server.on('request', (incoming: IncomingMessage, outgoing) => {
      proxy.pass(upstream, incoming).then(({ status, headers, body }) => {
        outgoing.writeHead(status, headers);
        outgoing.end(body);
      }, (error: unknown) => {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`the proxy could not reach ${upstream.host}: ${String(error)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** https://127.0.0.1:<port> */
  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private async pass(upstream: URL, incoming: IncomingMessage): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
    const requestBody = await readAll(incoming);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'connection') headers[name] = value;
    }
    const answer = await new Promise<IncomingMessage>((resolve, reject) => {
      const call = request(new URL(incoming.url ?? '/', upstream), { method: incoming.method, headers, agent: this.agent }, resolve);
      call.once('error', reject);
      call.end(requestBody);
    });
    const body = await readAll(answer);
    const status = answer.statusCode ?? 502;
    this.exchanges.push({ path: incoming.url ?? '/', requestBody: requestBody.toString('utf8'), status, responseBody: body.toString('utf8') });
    const answerHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && name !== 'connection' && name !== 'transfer-encoding' && name !== 'content-length') answerHeaders[name] = value;
    }
    return { status, headers: answerHeaders, body };
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}
