import { expect } from 'chai';
import type { ManagedObjectReference } from '../../src/providers/vmware/vim-values';
import { EventHistory } from '../../src/providers/vmware/vmware-event-history';
import { SupervisedProvider } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { VmwareFixture } from '../support/vmware-fixture';
import { until } from '../support/wait';

interface StoredEvent {
  source_id: string;
  event_type: string;
  message: string;
  refs: { collection: string; emsRef: string }[];
  infra_vm_id: string | null;
}

const POWER_EVENTS = ['VmPoweredOffEvent', 'VmPoweredOnEvent'];

/**
 * The vmware provider's events through the fleet, with real processes: the provider's event catcher, the shared
 * event handlers and the refresh worker started by a supervisor, against a private vcsim, PostgreSQL and Redis.
 */
describe('vmware: events through the fleet', function () {
  this.timeout(120_000);
  let vmware: VmwareFixture;
  let fleet: SupervisedProvider | undefined;
  const logs: string[] = [];

  beforeEach(async () => {
    vmware = await VmwareFixture.start({
      datacenters: 1, clustersPerDatacenter: 1, hostsPerCluster: 2, standaloneHosts: 0, poolsPerCluster: 0, vmsPerPool: 6, datastores: 1, portgroups: 1,
    });
    logs.length = 0;
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
    await vmware?.stop();
  });

  const started = (): number => logs.filter((line) => line.includes('"event":"events.stream_started"')).length;

  /** Starts the provider's workers with events; waits for its catcher to keep a position and the first refresh to be done. */
  async function startFleet(env: NodeJS.ProcessEnv = {}): Promise<SupervisedProvider> {
    fleet = await SupervisedProvider.start({
      providerId: vmware.provider.id, store: vmware.store, events: true, env: { LOG_LEVEL: 'info', ...env }, onOutput: (line) => logs.push(line),
    });
    const running = fleet;
    await until(() => (started() > 0 ? true : undefined), 'the event catcher to start');
    expect(Object.keys((await providerData()).eventPosition as object)).to.deep.equal(['events', 'updates']);
    await settled(running);
    return running;
  }

  /** Waits for the refresh queue to be empty and every run so far to be done. */
  const settled = async (running: SupervisedProvider): Promise<void> => {
    await until(async () => {
      const { waiting, active } = await running.queue.counts(vmware.provider.id);
      const all = await runs();
      return waiting === 0 && active === 0 && all.length > 0 && all.every((r) => r.status === 'ok') ? true : undefined;
    }, 'the refreshes asked so far to be done');
  };
  const providerData = async (): Promise<Record<string, unknown>> =>
    (await testEnv().dataSource.query('SELECT provider_data FROM providers WHERE id = $1', [vmware.provider.id]))[0].provider_data;
  const runs = (): Promise<{ kind: string; status: string; source: string; targets: { collection: string; ref: string }[] | null }[]> =>
    testEnv().dataSource.query('SELECT kind, status, source, targets FROM refresh_runs WHERE provider_id = $1 ORDER BY id', [vmware.provider.id]);
  const events = (where = 'true', params: unknown[] = []): Promise<StoredEvent[]> =>
    testEnv().dataSource.query(
      `SELECT source_id, event_type, message, refs, infra_vm_id FROM event_streams WHERE provider_id = $1 AND (${where}) ORDER BY id`, [vmware.provider.id, ...params]);
  const vmRow = async (ref: string): Promise<Record<string, unknown> | undefined> => (await vmware.rows('infra_vms', 'ems_ref = $2', [ref]))[0];
  const vms = async (): Promise<ManagedObjectReference[]> => (await vmware.objectsOf('VirtualMachine', ['name'])).map((vm) => vm.obj);

  it('updates a VM\'s row after a power change through a targeted refresh, and stores the update and the events vCenter recorded', async () => {
    const running = await startFleet();
    const fullRuns = (await runs()).filter((r) => r.kind === 'full').length;
    const [vm] = await vms();
    expect(await vmRow(vm!.value)).to.deep.include({ power_state: 'poweredOn' });

    await vmware.runTask('PowerOffVM_Task', vm!);
    await until(async () => ((await vmRow(vm!.value))?.power_state === 'poweredOff' ? true : undefined), 'the VM\'s row to show it off');
    await until(async () => ((await events(`event_type = 'vmware.VmPoweredOffEvent'`)).length > 0 ? true : undefined), 'the VmPoweredOffEvent stored');
    await settled(running);

    const row = await vmRow(vm!.value);
    expect((await runs()).filter((r) => r.kind === 'full'), 'no full refresh').to.have.length(fullRuns);
    const targets = (await runs()).filter((r) => r.kind === 'targeted' && r.source === 'event').flatMap((r) => r.targets ?? []);
    expect(targets).to.deep.include({ collection: 'vms', ref: vm!.value });
    const [updated] = await events(`event_type = 'vm.updated'`);
    expect(updated).to.deep.include({ message: `VM ${vm!.value} updated: runtime.powerState`, refs: [{ collection: 'vms', emsRef: vm!.value }], infra_vm_id: row?.id });
    const [recorded] = await events(`event_type = 'vmware.VmPoweredOffEvent'`);
    expect(recorded?.refs[0]).to.deep.equal({ collection: 'vms', emsRef: vm!.value });
    expect(recorded?.infra_vm_id).to.equal(row?.id);
    expect(recorded?.message).to.match(new RegExp(`^${String(row?.name)} on \\S+ in DC0 is powered off$`));
    // vCenter records a login for every session (the catcher's, the refresh worker's): filtered out by the type's list.
    expect(await events(`event_type LIKE 'vmware.UserLog%'`)).to.deep.equal([]);
  });

  it('stores every power event vCenter recorded exactly once, and shows each VM\'s last power state, when its catcher is killed with SIGKILL during power changes', async () => {
    const running = await startFleet({ FLEET_EVENT_FLOOD_PER_MINUTE: '1000000' });
    const from = ((await providerData()).eventPosition as { events: { key: number; time: string } }).events;
    const catcher = await until(() => running.runningWorker(undefined, 'event-catcher'), 'the event catcher');
    const all = await vms();
    let turn = 0;
    /** Powers the next VM off, or on again if it is off: a change per call, round the VMs. */
    const change = async (): Promise<void> => {
      const vm = all[turn % all.length] as ManagedObjectReference;
      await vmware.runTask(Math.floor(turn / all.length) % 2 === 0 ? 'PowerOffVM_Task' : 'PowerOnVM_Task', vm);
      turn += 1;
    };
    const storedPowerEvents = (): Promise<StoredEvent[]> => events(`event_type = ANY($2)`, [POWER_EVENTS.map((type) => `vmware.${type}`)]);

    // Part of the changes stored, then the catcher killed; more changes while it is dead, and after its replacement started.
    for (let i = 0; i < 8; i += 1) await change();
    await until(async () => ((await storedPowerEvents()).length >= 4 ? true : undefined), 'some power events stored');
    process.kill(catcher.pid, 'SIGKILL');
    for (let i = 0; i < 6; i += 1) await change();
    const replacement = await until(() => running.runningWorker(catcher.id, 'event-catcher'), 'a replacement event catcher');
    expect(replacement.pid).to.not.equal(catcher.pid);
    // The replacement's kept position is from the dead catcher's session: lost, and started again from now.
    await until(() => (started() >= 2 ? true : undefined), 'the replacement to start from now');
    expect(logs.some((line) => line.includes('"event":"events.position_lost"') && line.includes('belonged to an earlier vCenter session'))).to.equal(true);
    for (let i = 0; i < 6; i += 1) await change();

    // What vcsim recorded since the first catcher started: every power event stored, once.
    const history = new EventHistory(vmware.client(), { key: from.key, time: from.time });
    const recorded = (await history.catchUp({})).filter((event) => POWER_EVENTS.includes(event.type));
    expect(recorded).to.have.length(20);
    await until(async () => ((await storedPowerEvents()).length >= recorded.length ? true : undefined), 'every power event stored');
    const stored = await storedPowerEvents();
    expect(stored.map((event) => event.source_id).sort()).to.deep.equal(recorded.map((event) => String(event.key)).sort());

    // Each VM's row shows its last power state (the full refresh after the restart covers what no filter saw).
    const states = new Map((await vmware.objectsOf('VirtualMachine', ['runtime.powerState'])).map((vm) => [vm.obj.value, vm.properties.get('runtime.powerState')]));
    await until(async () => {
      for (const [ref, state] of states) if ((await vmRow(ref))?.power_state !== state) return undefined;
      return true;
    }, 'every VM row to show its last power state');
    expect((await runs()).filter((r) => r.kind === 'full' && r.source === 'startup').length, 'a full refresh at each start from now').to.be.at.least(2);
  });
});
