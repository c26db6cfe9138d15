import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import type { Provider } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import type { RefreshTarget } from '../../src/core/refresh/refresh-scope';
import { testEnv } from './test-env';

/** Mutation results as the demo cloud reports them: ids per collection and kind. */
export interface CloudChanges {
  vms: { created: string[]; updated: string[]; deleted: string[] };
  volumes: { created: string[]; updated: string[]; deleted: string[] };
}

/**
 * A running Awesome Cloud and a demo provider registered for it in the run's database (or in `dataSource`, for a
 * test with a database of its own). Every fixture has its own cloud and provider, so tests do not see each other's
 * inventory.
 */
export class DemoFixture {
  private constructor(
    readonly cloud: RunningDemoCloud,
    readonly store: ProviderStore,
    readonly provider: Provider,
    private readonly dataSource: DataSource,
  ) {}

  static async start(options: { vms?: number; seed?: number; pageSize?: number; dataSource?: DataSource } = {}): Promise<DemoFixture> {
    const env = testEnv();
    const dataSource = options.dataSource ?? env.dataSource;
    const cloud = await startDemoCloud({ vms: options.vms ?? 40, seed: options.seed ?? 7 });
    const store = new ProviderStore({ dataSource, cipher: env.cipher, logger: env.logger });
    const provider = await store.create({
      type: 'demo', name: `demo-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: cloud.url, pageSize: options.pageSize ?? 25 },
      credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    });
    return new DemoFixture(cloud, store, provider, dataSource);
  }

  refresh(targets?: RefreshTarget[], signal?: AbortSignal): Promise<RefreshOutcome> {
    const env = testEnv();
    return refreshProvider({
      dataSource: this.dataSource, store: this.store, logger: env.logger, provider: this.provider.id, targets,
      source: 'cli', fullThreshold: 100, signal,
    });
  }

  async mutate(request: { update_percent?: number; add?: number; delete?: number }): Promise<CloudChanges> {
    return (await this.admin('POST', '/admin/mutate', request)) as CloudChanges;
  }

  async setFaults(faults: Record<string, unknown>): Promise<void> {
    await this.admin('PUT', '/admin/faults', faults);
  }

  /** The fault switches as the cloud reports them now (what is left of their `times`). */
  async faults(): Promise<Record<string, unknown>> {
    return (await this.admin('GET', '/admin/faults')) as Record<string, unknown>;
  }

  async clearFaults(): Promise<void> {
    await this.admin('DELETE', '/admin/faults');
  }

  /** Background activity: this many random changes a second (0 stops it). */
  async setActivity(ratePerSecond: number): Promise<void> {
    if (ratePerSecond > 0) await this.admin('PUT', '/admin/activity', { rate_per_second: ratePerSecond });
    else await this.admin('DELETE', '/admin/activity');
  }

  async power(vmId: string, state: 'running' | 'stopped' | 'paused'): Promise<void> {
    await this.admin('POST', `/admin/vms/${vmId}/power`, { state });
  }

  /** Rows of one inventory table for this provider, as plain objects ordered by ems_ref (or id). */
  async rows(table: string, where = 'true'): Promise<Record<string, unknown>[]> {
    const order = table.endsWith('security_groups') && table.startsWith('cloud_vm_') ? 'id' : 'ems_ref';
    return this.dataSource.query(`SELECT * FROM ${table} WHERE provider_id = $1 AND ${where} ORDER BY ${order}`, [this.provider.id]);
  }

  /** A snapshot of every inventory table of this provider, without timestamps, to compare states. */
  async snapshot(): Promise<Record<string, unknown[]>> {
    const tables = ['cloud_availability_zones', 'cloud_flavors', 'cloud_images', 'cloud_security_groups', 'cloud_hosts', 'cloud_vms', 'cloud_volumes', 'cloud_vm_security_groups'];
    const result: Record<string, unknown[]> = {};
    for (const table of tables) {
      result[table] = (await this.rows(table)).map(({ created_at: _c, updated_at: _u, ...rest }) => rest);
    }
    return result;
  }

  async close(): Promise<void> {
    await this.cloud.close();
  }

  private async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(new URL(path, this.cloud.url), {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`demo cloud ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  }
}
