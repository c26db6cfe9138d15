import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { createKubeCredentials, type KubeCredentials } from './kube-credentials';
import { kubeApiserverBinary } from './kube-apiserver-binary';
import { LoggedProcess } from './logged-process';
import { PrivateEtcd } from './private-etcd';
import { PrivateServer } from './private-server';
import { until } from './wait';

/** The cluster's service network: the API server needs one, though nothing here routes to it. */
const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
/** The namespaces every cluster has, which the server makes itself after it starts. */
const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

interface NamespaceList {
  items?: { metadata?: { name?: string } }[];
}

/**
 * A real kube-apiserver with its own etcd, on free loopback ports with everything in a temporary directory: static
 * tokens (an admin and a user with no rights), a fresh service account key pair, and the self-signed serving
 * certificate the server makes in its cert dir, whose CA clients verify TLS against. It has no controllers, scheduler
 * or kubelet: pods stay Pending unless a test patches their status. A restart keeps port, data and certificate.
 */
export class PrivateKubeApiserver extends PrivateServer {
  private readonly etcd = new PrivateEtcd();
  private port: number | undefined;
  private credentials: KubeCredentials | undefined;
  private process: LoggedProcess | undefined;
  private servingCa: string | undefined;

  /** `extraArgs` are appended to the server's flags (a later flag wins), e.g. to change its request limits. */
  constructor(private readonly options: { extraArgs?: string[] } = {}) {
    super();
  }

  get url(): string {
    if (this.port === undefined) throw new Error('the private kube-apiserver has not been started');
    return `https://127.0.0.1:${this.port}`;
  }

  /** The CA certificate (PEM) of the server's self-signed serving certificate. */
  get caPem(): string {
    if (this.servingCa === undefined) throw new Error('the private kube-apiserver has not been started');
    return this.servingCa;
  }

  get adminToken(): string {
    return this.started().adminToken;
  }

  get noRightsToken(): string {
    return this.started().noRightsToken;
  }

  get readerToken(): string {
    return this.started().readerToken;
  }

  /**
   * The first start makes the directory, ports and credentials that later starts reuse; done once /readyz answers
   * and the system namespaces exist.
   */
  async start(): Promise<void> {
    const binary = kubeApiserverBinary();
    const dir = (this.dir ??= await mkdtemp(join(tmpdir(), 'fleet-kube-apiserver-')));
    this.port ??= await freePort();
    this.credentials ??= await createKubeCredentials(dir);
    const certDir = join(dir, 'certs');
    await mkdir(certDir, { recursive: true });
    await this.etcd.start();
    const { tokenFile, serviceAccountPublicKeyFile, serviceAccountPrivateKeyFile } = this.credentials;
    const child = (this.process = LoggedProcess.start('kube-apiserver', binary, [
      `--etcd-servers=${this.etcd.url}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${this.port}`, '--insecure-port=0',
      // No other API server shares the store, and no endpoint of it is reachable from a pod: nothing to reconcile.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokenFile}`, '--authorization-mode=RBAC',
      `--service-account-key-file=${serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${serviceAccountPrivateKeyFile}`,
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      // With no controller manager no service account token is ever made, and this plugin would refuse every pod.
      '--disable-admission-plugins=ServiceAccount',
      ...(this.options.extraArgs ?? []),
    ], join(dir, 'kube-apiserver.log')));
    const certFile = join(certDir, 'apiserver.crt');
    this.servingCa = await until(() => { child.assertRunning(); return existsSync(certFile) ? caOf(certFile) : undefined; },
      `kube-apiserver to write its serving certificate in ${certDir}`, 30_000);
    await until(() => this.answers(child, '/readyz'), `kube-apiserver at ${this.url} to be ready (/readyz)`, 60_000);
    // Ready does not mean settled: the server makes its namespaces in the background, `default` last of all.
    await until(async () => {
      const body = await this.answers(child, '/api/v1/namespaces');
      const names = new Set((JSON.parse(body ?? '{}') as NamespaceList).items?.map((item) => item.metadata?.name));
      return SYSTEM_NAMESPACES.every((name) => names.has(name)) ? true : undefined;
    }, `kube-apiserver at ${this.url} to make its namespaces (${SYSTEM_NAMESPACES.join(', ')})`, 60_000);
  }

  /** Compacts the store's history up to now (see PrivateEtcd.compact). */
  compactHistory(): Promise<void> {
    return this.etcd.compact();
  }

  /** Stops the API server, then its etcd; both keep their data. */
  protected async shutDown(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    try {
      await child?.stop();
    } finally {
      await this.etcd.halt();
    }
  }

  /** Stops both servers for good and removes their data. */
  override async stop(): Promise<void> {
    try {
      await super.stop();
    } finally {
      await this.etcd.stop();
    }
  }

  private started(): KubeCredentials {
    if (this.credentials === undefined) throw new Error('the private kube-apiserver has not been started');
    return this.credentials;
  }

  /** The body of `path` once it answers 200 to the admin over verified TLS; fails if the server has exited. */
  private async answers(child: LoggedProcess, path: string): Promise<string | undefined> {
    child.assertRunning();
    return new Promise<string | undefined>((resolve) => {
      const probe = request(`${this.url}${path}`, {
        ca: this.caPem, headers: { authorization: `Bearer ${this.adminToken}` }, timeout: 5_000,
      }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => { body += chunk; });
        response.on('end', () => resolve(response.statusCode === 200 ? body : undefined));
        response.on('error', () => resolve(undefined));
      });
      probe.on('timeout', () => probe.destroy());
      probe.on('error', () => resolve(undefined)); // not listening yet, or still starting its hooks
      probe.end();
    });
  }
}

/**
 * The CA certificate in the server's certificate file, once written. The server writes its serving certificate
 * followed by the CA it made to sign it; clients trust the CA, as they trust a real cluster's.
 */
function caOf(certFile: string): string | undefined {
  const blocks = readFileSync(certFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g);
  return blocks?.find((block) => new X509Certificate(block).ca);
}
