import type { Logger } from '../../src/logging/logger';
import type { Provider } from '../../src/models';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import type { RefreshTarget } from '../../src/core/refresh/refresh-scope';
import { ProviderStore } from '../../src/providers/provider-store';
import { HttpRetryPolicy } from '../../src/providers/http-retry';
import { containerViewObjectSpec } from '../../src/providers/vmware/property-filter-spec';
import type { ObjectContent } from '../../src/providers/vmware/property-collector-answers';
import type { SoapObject } from '../../src/providers/vmware/soap-request';
import { VimClient } from '../../src/providers/vmware/vim-client';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { liveNames, uniqueName } from './kube-fixture';
import { testEnv } from './test-env';
import { PrivateVcsim, type VcsimSize } from './vcsim';

/**
 * A private vcsim of the size asked for, and a `vmware` provider registered for it in the run's database (trusting
 * vcsim's certificate as its CA), with a client of the test's own to read and change what vcsim holds.
 */
export class VmwareFixture {
  private readonly clients: VimClient[] = [];

  private constructor(readonly vcsim: PrivateVcsim, readonly store: ProviderStore, readonly provider: Provider, private readonly logger: Logger) {}

  /** `logger` is the one the provider and its refreshes log to (the run's, unless given). */
  static async start(size: VcsimSize, options: { logger?: Logger; pageSize?: number } = {}): Promise<VmwareFixture> {
    const vcsim = new PrivateVcsim(size);
    await vcsim.start();
    const env = testEnv();
    const logger = options.logger ?? env.logger;
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger });
    const provider = await store.create({
      type: 'vmware', name: uniqueName('vcenter'),
      config: { sdkUrl: vcsim.sdkUrl, caCertificate: vcsim.certificatePem, insecureSkipTlsVerify: false, pageSize: options.pageSize ?? 500, timeoutSeconds: 10 },
      credentials: { username: vcsim.username, password: vcsim.password },
    });
    return new VmwareFixture(vcsim, store, provider, logger);
  }

  refresh(targets?: RefreshTarget[]): Promise<RefreshOutcome> {
    const env = testEnv();
    return refreshProvider({
      dataSource: env.dataSource, store: this.store, logger: this.logger, provider: this.provider.id, targets, source: 'cli', fullThreshold: 100,
    });
  }

  /** A client of the test's own, closed by stop(). */
  client(): VimClient {
    const client = new VimClient({
      sdkUrl: this.vcsim.sdkUrl, username: this.vcsim.username, password: this.vcsim.password,
      tls: { caCertificate: this.vcsim.certificatePem, certificateFingerprint: null, insecureSkipTlsVerify: false },
      timeoutMs: 10_000, retry: new HttpRetryPolicy({ maxAttempts: 1 }),
    });
    this.clients.push(client);
    return client;
  }

  /** Every object of `type` (and its subtypes) vcsim holds, with `paths`, read through a container view. */
  async objectsOf(type: string, paths: string[]): Promise<ObjectContent[]> {
    const vim = this.client();
    const { rootFolder } = await vim.serviceContent();
    const view = await vim.createContainerView(rootFolder, [type], true);
    try {
      const objects: ObjectContent[] = [];
      for await (const page of vim.retrieveAll({ propSet: [{ type, paths }], objectSet: [containerViewObjectSpec(view)] }, undefined)) objects.push(...page);
      return objects;
    } finally {
      await vim.destroyView(view);
    }
  }

  /** Runs a task method on `target` (PowerOffVM_Task, Destroy_Task, ...); vcsim completes such tasks at once. */
  async runTask(method: string, target: { type: string; value: string }, parameters: SoapObject = {}): Promise<void> {
    await this.client().connection.invoke(method, target, parameters);
  }

  /** Rows of `table` of the fixture's provider meeting `where` ($2... are `params`). */
  async rows(table: string, where = 'true', params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return testEnv().dataSource.query(`SELECT * FROM ${table} WHERE provider_id = $1 AND (${where}) ORDER BY id`, [this.provider.id, ...params]);
  }

  /** Names of the live rows of `table` of the provider, sorted. */
  names(table: string): Promise<string[]> {
    return liveNames(table, this.provider.id);
  }

  /** Closes the test's clients and stops vcsim. */
  async stop(): Promise<void> {
    try {
      await Promise.all(this.clients.map((client) => client.close()));
    } finally {
      await this.vcsim.stop();
    }
  }
}
