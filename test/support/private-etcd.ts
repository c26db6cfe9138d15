import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { LoggedProcess } from './logged-process';
import { PrivateServer } from './private-server';
import { until } from './wait';

/**
 * An etcd of the test run's own (Debian's etcd-server, which scripts/ensure-kube-apiserver.sh installs), on free
 * loopback ports with its data in a temporary directory: the store of the run's kube-apiserver.
 */
export class PrivateEtcd extends PrivateServer {
  private clientPort: number | undefined;
  private peerPort: number | undefined;
  private process: LoggedProcess | undefined;

  get url(): string {
    if (this.clientPort === undefined) throw new Error('the private etcd has not been started');
    return `http://127.0.0.1:${this.clientPort}`;
  }

  /** The first start picks the ports and the data directory that later starts reuse. */
  async start(): Promise<void> {
    const dir = (this.dir ??= await mkdtemp(join(tmpdir(), 'fleet-etcd-')));
    this.clientPort ??= await freePort();
    // The peer port too: etcd's default (2380) would collide with any other etcd on the machine.
    this.peerPort ??= await freePort();
    const peerUrl = `http://127.0.0.1:${this.peerPort}`;
    const child = (this.process = LoggedProcess.start('etcd', 'etcd', [
      '--name', 'fleet-test', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', this.url, '--advertise-client-urls', this.url,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `fleet-test=${peerUrl}`,
      '--logger', 'zap', '--log-level', 'warn',
    ], join(dir, 'etcd.log'), 'scripts/ensure-kube-apiserver.sh installs it'));
    await until(() => this.healthy(child), `etcd at ${this.url} to be healthy`, 15_000);
  }

  /**
   * Forgets every revision before the current one (what the API server asks of etcd every few minutes), through
   * etcd's JSON gateway: watches and continue tokens from before now get 410 Gone.
   */
  async compact(): Promise<void> {
    const range = await fetch(`${this.url}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
    const { header } = (await range.json()) as { header?: { revision?: string } };
    if (!header?.revision) throw new Error('etcd did not say its current revision');
    const compaction = await fetch(`${this.url}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: header.revision, physical: true }) });
    if (!compaction.ok) throw new Error(`etcd refused to compact (HTTP ${compaction.status})`);
  }

  protected async shutDown(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    await child?.stop();
  }

  private async healthy(child: LoggedProcess): Promise<true | undefined> {
    child.assertRunning();
    try {
      const response = await fetch(`${this.url}/health`);
      const body = (await response.json()) as { health?: unknown };
      return body.health === 'true' ? true : undefined;
    } catch {
      return undefined; // not listening yet
    }
  }
}
