import { expect } from 'chai';
import {
  startDemoCloud,
  type ChangeEvent,
  type MutationResult,
  type RunningDemoCloud,
  type Vm,
  type Volume,
} from '../../src/demo-cloud';
import { getJson, REGION, sendJson, walk } from './helpers';

describe('demo cloud mutations', () => {
  let cloud: RunningDemoCloud;

  beforeEach(async () => {
    cloud = await startDemoCloud({ vms: 50 });
  });
  afterEach(async () => {
    await cloud.close();
  });

  describe('POST /admin/mutate', () => {
    it('reports exactly what the API serves afterwards', async () => {
      const vmsBefore = (await walk(cloud, 'vms', 1000)).ids;
      const volumesBefore = new Map(cloud.state.list('volumes').map((volume) => [volume.id, { ...volume }]));
      const bootVolumeOf = new Map(cloud.state.list('vms').map((vm) => [vm.id, vm.boot_volume_id]));
      const namesBefore = new Map(cloud.state.list('vms').map((vm) => [vm.id, vm.name]));

      const { status, body } = await sendJson<MutationResult>(cloud, 'POST', '/admin/mutate', {
        update_percent: 10,
        add: 3,
        delete: 4,
      });

      expect(status).to.equal(200);
      expect(body.vms.deleted).to.have.length(4);
      expect(body.vms.updated).to.have.length(4); // 10% of the 46 survivors, rounded down
      expect(body.vms.created).to.deep.equal(['vm-0000051', 'vm-0000052', 'vm-0000053']);
      expect(body.vms.updated.filter((id) => body.vms.deleted.includes(id))).to.deep.equal([]);

      const vmsAfter = await walk(cloud, 'vms', 7);
      const expectedVms = [...vmsBefore.filter((id) => !body.vms.deleted.includes(id)), ...body.vms.created];
      expect(vmsAfter.ids).to.deep.equal(expectedVms);
      expect(vmsAfter.total).to.equal(49);

      const volumesAfter = await walk(cloud, 'volumes', 7);
      const expectedVolumes = [
        ...[...volumesBefore.keys()].filter((id) => !body.volumes.deleted.includes(id)),
        ...body.volumes.created,
      ];
      expect(volumesAfter.ids).to.deep.equal(expectedVolumes);
      type AdminState = { counts: Record<string, number>; mutations: number };
      const { body: state } = await getJson<AdminState>(cloud, '/admin/state');
      expect(state.counts).to.include({ vms: 49, volumes: 66 - 4 + 3, hosts: 3 });
      expect(state.mutations).to.equal(1);

      for (const vmId of body.vms.deleted) {
        expect((await getJson(cloud, `/v1/regions/${REGION}/vms/${vmId}`)).status).to.equal(404);
        expect(body.volumes.deleted).to.include(bootVolumeOf.get(vmId));
        const path = `/v1/regions/${REGION}/volumes?attached_vm_id=${vmId}`;
        const attached = await getJson<{ items: Volume[] }>(cloud, path);
        expect(attached.body.items).to.deep.equal([]);
      }
      expect((await getJson(cloud, `/v1/regions/${REGION}/volumes/${body.volumes.deleted[0]}`)).status).to.equal(404);

      const detached = [...volumesBefore.values()].filter(
        (volume) =>
          volume.attached_vm_id !== null &&
          volume.device !== '/dev/vda' &&
          body.vms.deleted.includes(volume.attached_vm_id),
      );
      expect(detached, 'seed 42 deletes VMs that have data volumes').to.not.be.empty;
      expect(body.volumes.updated).to.deep.equal(detached.map((volume) => volume.id).sort());
      for (const volume of detached) {
        const served = await getJson<Volume>(cloud, `/v1/regions/${REGION}/volumes/${volume.id}`);
        expect(served.body).to.include({ status: 'available', attached_vm_id: null, device: null });
      }

      for (const vmId of body.vms.updated) {
        const served = await getJson<Vm>(cloud, `/v1/regions/${REGION}/vms/${vmId}`);
        expect(served.body.name).to.not.equal(namesBefore.get(vmId));
        expect(served.body.name).to.match(/-m1$/);
      }

      const securityGroups = new Set(cloud.state.list('security_groups').map((group) => group.id));
      for (const [index, vmId] of body.vms.created.entries()) {
        const vm = (await getJson<Vm>(cloud, `/v1/regions/${REGION}/vms/${vmId}`)).body;
        expect(vm.boot_volume_id).to.equal(body.volumes.created[index]);
        expect(cloud.state.get('hosts', vm.host_id)?.zone_id, 'a new VM runs on a host of its zone').to.equal(vm.zone_id);
        expect(vm.security_group_ids.length).to.be.within(1, 2);
        for (const id of vm.security_group_ids) expect(securityGroups.has(id)).to.equal(true);
        const boot = (await getJson<Volume>(cloud, `/v1/regions/${REGION}/volumes/${vm.boot_volume_id}`)).body;
        expect(boot).to.include({ attached_vm_id: vmId, device: '/dev/vda', status: 'in-use', zone_id: vm.zone_id });
      }
    });

    it('is deterministic for the same seed and sequence of mutations', async () => {
      const twin = await startDemoCloud({ vms: 50 });
      try {
        const requests = [{ update_percent: 30, add: 2, delete: 2 }, { delete: 5 }, { add: 4, update_percent: 50 }];
        for (const request of requests) {
          const ours = await sendJson(cloud, 'POST', '/admin/mutate', request);
          const theirs = await sendJson(twin, 'POST', '/admin/mutate', request);
          expect(ours).to.deep.equal(theirs);
        }
        const text = async (target: RunningDemoCloud): Promise<unknown> =>
          (await getJson(target, `/v1/regions/${REGION}/vms?limit=1000`)).body;
        expect(await text(cloud)).to.deep.equal(await text(twin));
      } finally {
        await twin.close();
      }
    });

    it('rejects impossible requests with 400', async () => {
      const bodies = [{ delete: 51 }, { update_percent: 101 }, { add: -1 }, { add: 1.5 }, { remove: 1 }, { add: '2' }];
      for (const body of bodies) {
        const answer = await sendJson<{ error: string }>(cloud, 'POST', '/admin/mutate', body);
        expect(answer.status, JSON.stringify(body)).to.equal(400);
        expect(answer.body.error).to.be.a('string');
      }
      expect(cloud.state.mutations).to.equal(0);
    });
  });

  describe('POST /admin/vms/:id/power', () => {
    it('sets the power state the API then serves', async () => {
      const { status, body } = await sendJson<Vm>(cloud, 'POST', '/admin/vms/vm-0000002/power', { state: 'paused' });
      expect(status).to.equal(200);
      expect(body).to.include({ id: 'vm-0000002', power_state: 'paused' });
      const served = await getJson<Vm>(cloud, `/v1/regions/${REGION}/vms/vm-0000002`);
      expect(served.body.power_state).to.equal('paused');
    });

    it('answers 404 for an unknown VM and 400 for a bad state', async () => {
      expect((await sendJson(cloud, 'POST', '/admin/vms/vm-9999999/power', { state: 'running' })).status).to.equal(404);
      expect((await sendJson(cloud, 'POST', '/admin/vms/vm-0000001/power', { state: 'melted' })).status).to.equal(400);
      expect((await sendJson(cloud, 'POST', '/admin/vms/vm-0000001/power', {})).status).to.equal(400);
    });
  });

  describe('onChange', () => {
    it('sees every change a mutation makes, and only those', async () => {
      const events: ChangeEvent[] = [];
      cloud.state.onChange((event) => events.push(event));
      const { body } = await sendJson<MutationResult>(cloud, 'POST', '/admin/mutate', {
        update_percent: 20,
        add: 2,
        delete: 6,
      });

      const seen = (collection: string, kind: string): string[] =>
        events.filter((e) => e.collection === collection && e.kind === kind).map((e) => e.id).sort();
      for (const collection of ['vms', 'volumes'] as const) {
        for (const kind of ['created', 'updated', 'deleted'] as const) {
          expect(seen(collection, kind), `${collection} ${kind}`).to.deep.equal([...body[collection][kind]].sort());
        }
      }
      expect(events.length).to.be.greaterThan(0);
      for (const event of events) expect(event.at).to.be.instanceOf(Date);
      // Updated VMs whose power state changed are reported as power events, the others as updates.
      for (const event of events.filter((e) => e.collection === 'vms' && e.kind === 'updated')) {
        const power = cloud.state.get('vms', event.id)?.power_state;
        expect(event.type).to.be.oneOf(['vm.update', { running: 'vm.power_on', stopped: 'vm.power_off', paused: 'vm.pause' }[power as string]]);
      }
      expect(new Set(events.filter((e) => e.kind === 'deleted').map((e) => e.type))).to.deep.equal(new Set(['vm.delete', 'volume.delete']));
    });

    it('sees power changes, stamps events with the injected clock, and stops after unsubscribing', async () => {
      const at = new Date('2030-01-01T00:00:00Z');
      const clocked = await startDemoCloud({ vms: 5, now: () => at });
      try {
        const events: ChangeEvent[] = [];
        const unsubscribe = clocked.state.onChange((event) => events.push(event));
        const current = clocked.state.get('vms', 'vm-0000001')?.power_state;
        const next = current === 'running' ? 'stopped' : 'running';
        await sendJson(clocked, 'POST', '/admin/vms/vm-0000001/power', { state: next });
        await sendJson(clocked, 'POST', '/admin/vms/vm-0000001/power', { state: next }); // no change, no event
        expect(events).to.deep.equal([{ collection: 'vms', id: 'vm-0000001', kind: 'updated', type: next === 'running' ? 'vm.power_on' : 'vm.power_off', at }]);

        unsubscribe();
        await sendJson(clocked, 'POST', '/admin/mutate', { delete: 1 });
        expect(events).to.have.length(1);
      } finally {
        await clocked.close();
      }
    });
  });
});
