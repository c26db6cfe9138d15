import { Writable } from 'node:stream';
import { expect } from 'chai';
import { InvalidCredentialsError } from '../../src/errors';
import { createLogger } from '../../src/logging/logger';
import { testEnv } from '../support/test-env';
import { VmwareFixture } from '../support/vmware-fixture';

const TABLES = [
  'infra_datacenters', 'infra_folders', 'infra_clusters', 'infra_resource_pools', 'infra_hosts', 'infra_datastores', 'infra_networks',
  'infra_vms', 'infra_disks', 'infra_vm_datastores', 'infra_vm_networks',
];

/** Refreshes that vCenter refuses or that it stops answering in the middle of keep the inventory as it was. */
describe('vmware: a refresh that fails', () => {
  let vmware: VmwareFixture;
  /** Called with each line the provider logs, so a test can act at a chosen point of a refresh. */
  let onLogLine: (line: Record<string, unknown>) => void = () => undefined;

  before(async function () {
    this.timeout(60_000);
    const destination = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        for (const line of chunk.toString().split('\n')) if (line !== '') onLogLine(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    vmware = await VmwareFixture.start({
      datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 2, standaloneHosts: 1, poolsPerCluster: 0, vmsPerPool: 2, datastores: 1, portgroups: 1,
    }, { logger: createLogger({ level: 'debug', destination }) });
    const outcome = await vmware.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
  });
  after(async () => {
    await vmware?.stop();
  });

  async function snapshot(): Promise<Record<string, unknown[]>> {
    const rows: Record<string, unknown[]> = {};
    for (const table of TABLES) rows[table] = await vmware.rows(table);
    return rows;
  }

  async function lastRun(): Promise<{ id: string; status: string; error: unknown }> {
    const [run] = await testEnv().dataSource.query('SELECT id::text, status, error FROM refresh_runs WHERE provider_id = $1 ORDER BY id DESC LIMIT 1', [vmware.provider.id]);
    return run;
  }

  it('fails on a password vCenter refuses, saying so, and deletes nothing', async () => {
    const before = await snapshot();
    const wrong = `wrong-${vmware.vcsim.password}`;
    await vmware.store.update(vmware.provider.id, { credentials: { username: vmware.vcsim.username, password: wrong } }, { verify: false });
    try {
      const error = await vmware.refresh().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InvalidCredentialsError);
      expect((error as Error).message).to.include('refused the user name or password (InvalidLogin)').and.not.include(wrong);
      expect(await snapshot()).to.deep.equal(before);
      const run = await lastRun();
      expect(run.status).to.equal('failed');
      expect(JSON.stringify(run)).not.to.include(wrong);
    } finally {
      await vmware.store.update(vmware.provider.id, { credentials: { username: vmware.vcsim.username, password: vmware.vcsim.password } }, { verify: false });
    }
  });

  it('marks what it could not retrieve incomplete when vCenter goes away in the middle, and deletes nothing', async function () {
    this.timeout(60_000);
    const before = await snapshot();
    // vCenter crashes once the hosts are retrieved: datastores, networks and VMs are not.
    onLogLine = (line) => {
      if (line.event === 'vmware.phase_retrieved' && line.phase === 'hosts') vmware.vcsim.crash();
    };
    try {
      const outcome = await vmware.refresh();
      expect(outcome.status, JSON.stringify(outcome)).to.equal('partial');
      expect(outcome.error).to.match(/datastores: .*127\.0\.0\.1:\d+/);
      for (const collection of ['datastores', 'networks', 'vms', 'disks', 'vmDatastores', 'vmNetworks']) {
        expect(outcome.stats.collections[collection]?.incomplete, collection).to.be.a('string');
        expect(outcome.stats.collections[collection], collection).to.include({ deleted: 0 });
      }
      for (const collection of ['datacenters', 'folders', 'clusters', 'resourcePools', 'hosts']) {
        expect(outcome.stats.collections[collection], collection).to.include({ created: 0, updated: 0, deleted: 0 });
      }
      expect(outcome.writes).to.equal(0);
      expect(await snapshot()).to.deep.equal(before);
      expect((await lastRun()).status).to.equal('partial');
    } finally {
      onLogLine = () => undefined;
    }
  });
});
