import { expect } from 'chai';
import {
  COLLECTIONS,
  startDemoCloud,
  type Host,
  type ListResponse,
  type RunningDemoCloud,
  type Vm,
  type Volume,
} from '../../src/demo-cloud';
import { AUTH, getJson, REGION, walk } from './helpers';

describe('demo cloud HTTP API', () => {
  let cloud: RunningDemoCloud;

  before(async () => {
    cloud = await startDemoCloud({ vms: 50 });
  });
  after(async () => {
    await cloud.close();
  });

  describe('determinism', () => {
    let twin: RunningDemoCloud;
    let other: RunningDemoCloud;

    before(async () => {
      twin = await startDemoCloud({ vms: 50, seed: 42 });
      other = await startDemoCloud({ vms: 50, seed: 7 });
    });
    after(async () => {
      await Promise.all([twin.close(), other.close()]);
    });

    async function fullText(target: RunningDemoCloud, collection: string): Promise<string> {
      const response = await fetch(`${target.url}/v1/regions/${REGION}/${collection}?limit=1000`, { headers: AUTH });
      return response.text();
    }

    it('serves identical JSON for the same seed and size', async () => {
      for (const collection of COLLECTIONS) {
        expect(await fullText(twin, collection), collection).to.equal(await fullText(cloud, collection));
      }
    });

    it('serves a different inventory for a different seed', async () => {
      expect(await fullText(other, 'vms')).to.not.equal(await fullText(cloud, 'vms'));
      expect(await fullText(other, 'volumes')).to.not.equal(await fullText(cloud, 'volumes'));
    });
  });

  it('lists the known regions', async () => {
    const { status, body } = await getJson(cloud, '/v1/regions');
    expect(status).to.equal(200);
    expect(body).to.deep.equal({ items: [{ name: 'us-east-1' }, { name: 'eu-west-1' }, { name: 'ap-south-1' }] });
  });

  it('generates the documented sizes', async () => {
    const { body } = await getJson(cloud, '/admin/state');
    // One host per zone for up to 75 VMs; 50 boot volumes + ceil(50/4) data volumes + ceil(50/20) detached ones.
    expect(body).to.deep.equal({
      region: REGION,
      counts: { zones: 3, flavors: 20, images: 50, security_groups: 5, hosts: 3, vms: 50, volumes: 50 + 13 + 3 },
      mutations: 0,
      metrics_served: { requests: 0, samples: 0 },
    });
  });

  it('walks every item exactly once, in id order, with the right total', async () => {
    for (const collection of COLLECTIONS) {
      const result = await walk(cloud, collection, 7);
      const expected = cloud.state.list(collection).map((item) => item.id);
      expect(result.ids, collection).to.deep.equal(expected);
      expect(new Set(result.ids).size, collection).to.equal(result.ids.length);
      expect(result.total, collection).to.equal(expected.length);
      expect(result.ids, collection).to.deep.equal([...result.ids].sort());
      expect(result.pages, collection).to.equal(Math.max(1, Math.ceil(expected.length / 7)));
    }
  });

  it('defaults to pages of 100 and ends with a null next_marker', async () => {
    const { body } = await getJson<ListResponse>(cloud, `/v1/regions/${REGION}/volumes`);
    expect(body.items).to.have.length(66);
    expect(body.next_marker).to.equal(null);
  });

  it('serves the other known regions empty', async () => {
    const { status, body } = await getJson(cloud, '/v1/regions/eu-west-1/vms');
    expect(status).to.equal(200);
    expect(body).to.deep.equal({ items: [], next_marker: null, total: 0 });
    expect((await getJson(cloud, '/v1/regions/eu-west-1/vms/vm-0000001')).status).to.equal(404);
  });

  it('gets one host by id, and a VM names a host of its zone', async () => {
    const vm = (await getJson<Vm>(cloud, `/v1/regions/${REGION}/vms/vm-0000004`)).body;
    const host = await getJson<Host>(cloud, `/v1/regions/${REGION}/hosts/${vm.host_id}`);
    expect(host.status).to.equal(200);
    expect(host.body).to.deep.equal(cloud.state.get('hosts', vm.host_id));
    expect(host.body.zone_id).to.equal(vm.zone_id);
  });

  it('gets one VM and one volume by id', async () => {
    const vm = await getJson<Vm>(cloud, `/v1/regions/${REGION}/vms/vm-0000003`);
    expect(vm.status).to.equal(200);
    expect(vm.body).to.deep.equal(cloud.state.get('vms', 'vm-0000003'));
    const volume = await getJson<Volume>(cloud, `/v1/regions/${REGION}/volumes/${vm.body.boot_volume_id}`);
    expect(volume.body).to.include({ attached_vm_id: 'vm-0000003', device: '/dev/vda', status: 'in-use' });
  });

  it('filters by ids, returning only those that exist, without paging', async () => {
    const path = `/v1/regions/${REGION}/vms?ids=vm-0000009,vm-0000002,vm-9999999`;
    const { body } = await getJson<ListResponse>(cloud, path);
    expect(body.items.map((item) => item.id)).to.deep.equal(['vm-0000002', 'vm-0000009']);
    expect(body).to.include({ next_marker: null, total: 2 });
    const volumes = await getJson<ListResponse>(cloud, `/v1/regions/${REGION}/volumes?ids=vol-0000001`);
    expect(volumes.body.items.map((item) => item.id)).to.deep.equal(['vol-0000001']);
  });

  it("filters volumes by attached_vm_id, giving the VM's boot and data volumes", async () => {
    const dataVolume = cloud.state.list('volumes').find((volume) => volume.device === '/dev/vdb');
    const vmId = dataVolume?.attached_vm_id ?? '';
    const { body } = await getJson<{ items: Volume[]; total: number }>(
      cloud,
      `/v1/regions/${REGION}/volumes?attached_vm_id=${vmId}`,
    );
    const expected = cloud.state.list('volumes').filter((volume) => volume.attached_vm_id === vmId);
    expect(body.items).to.deep.equal(expected);
    expect(body.items.map((volume) => volume.device)).to.include.members(['/dev/vda', '/dev/vdb']);
    expect(body.total).to.equal(expected.length);
  });

  describe('errors', () => {
    it('answers 401 for a wrong secret or missing keys', async () => {
      const wrong = await getJson(cloud, '/v1/regions', { ...AUTH, 'x-secret-key': 'nope' });
      expect(wrong).to.deep.equal({ status: 401, body: { error: 'invalid credentials' } });
      expect((await getJson(cloud, `/v1/regions/${REGION}/vms`, {})).status).to.equal(401);
    });

    it('answers 404 for an unknown region, collection or object', async () => {
      expect((await getJson(cloud, '/v1/regions/mars-1/vms')).status).to.equal(404);
      expect((await getJson(cloud, `/v1/regions/${REGION}/printers`)).status).to.equal(404);
      expect(await getJson(cloud, `/v1/regions/${REGION}/vms/vm-9999999`)).to.deep.equal({
        status: 404,
        body: { error: 'not found' },
      });
      expect((await getJson(cloud, `/v1/regions/${REGION}/volumes/vol-9999999`)).status).to.equal(404);
    });

    it('answers 400 for a bad limit', async () => {
      for (const limit of ['0', '1001', 'ten', '2.5', '-1', '']) {
        const { status, body } = await getJson<{ error: string }>(cloud, `/v1/regions/${REGION}/vms?limit=${limit}`);
        expect(status, `limit=${limit}`).to.equal(400);
        expect(body.error).to.match(/limit/);
      }
    });

    it('answers 400 for more than 1000 ids', async () => {
      const ids = Array.from({ length: 1001 }, (_, i) => `vm-${String(i + 1).padStart(7, '0')}`).join(',');
      expect((await getJson(cloud, `/v1/regions/${REGION}/vms?ids=${ids}`)).status).to.equal(400);
    });
  });
});
