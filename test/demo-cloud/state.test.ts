import { expect } from 'chai';
import { DemoCloudState, formatId, InvalidInputError, MAX_VMS } from '../../src/demo-cloud';
import { hostCount } from '../../src/demo-cloud/hosts';
import { isoSeconds } from '../../src/demo-cloud/iso-time';
import { Random } from '../../src/demo-cloud/random';

describe('demo cloud state', () => {
  const state = new DemoCloudState({ seed: 42, vms: 200, region: 'eu-west-1' });

  it('names zones after the region', () => {
    expect(state.list('zones').map((zone) => zone.name)).to.deep.equal(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  it('derives images only from earlier images', () => {
    const images = state.list('images');
    expect(images.some((image) => image.parent_image_id !== null)).to.equal(true);
    for (const image of images) {
      if (image.parent_image_id !== null) expect(image.parent_image_id < image.id, image.id).to.equal(true);
    }
  });

  it('gives every VM a boot volume, 1-2 known security groups and references that exist', () => {
    for (const vm of state.list('vms')) {
      expect(state.get('volumes', vm.boot_volume_id)).to.include({ attached_vm_id: vm.id, device: '/dev/vda' });
      expect(vm.security_group_ids.length).to.be.within(1, 2);
      for (const id of vm.security_group_ids) expect(state.get('security_groups', id), id).to.not.equal(undefined);
      expect(state.get('flavors', vm.flavor_id)).to.not.equal(undefined);
      expect(state.get('images', vm.image_id)).to.not.equal(undefined);
      expect(vm.uuid).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Date(vm.launched_at).toISOString()).to.equal(vm.launched_at);
    }
    expect(new Set(state.list('vms').map((vm) => vm.uuid)).size).to.equal(200);
  });

  it('deals 3 * ceil(vms/75) hosts to the zones in turn and places every VM on a host of its zone', () => {
    const hosts = state.list('hosts');
    const zones = state.list('zones').map((zone) => zone.id);
    expect(hosts.map((host) => host.id)).to.deep.equal(Array.from({ length: 9 }, (_, i) => `host-0000${i + 1}`));
    hosts.forEach((host, i) => expect(host).to.include({ zone_id: zones[i % 3], name: `eu-west-1${'abc'[i % 3]}-hv${i + 1}` }));
    for (const host of hosts) expect(host.memory_mb / host.cpu_cores).to.be.oneOf([4096, 8192]);
    const vmsPerHost = new Map<string, number>();
    for (const vm of state.list('vms')) {
      expect(state.get('hosts', vm.host_id)?.zone_id, vm.id).to.equal(vm.zone_id);
      vmsPerHost.set(vm.host_id, (vmsPerHost.get(vm.host_id) ?? 0) + 1);
    }
    expect(vmsPerHost.size, 'every host runs VMs').to.equal(hosts.length);
  });

  it('has a host in every zone even without VMs, and stays within 5-digit host ids at the largest size', () => {
    expect(new DemoCloudState({ seed: 1, vms: 0, region: 'us-east-1' }).list('hosts').map((host) => host.zone_id)).to.deep.equal(['az-1', 'az-2', 'az-3']);
    expect(hostCount(MAX_VMS, 3)).to.be.below(100_000);
    expect(hostCount(75, 3)).to.equal(3);
    expect(hostCount(76, 3)).to.equal(6);
  });

  it('attaches ceil(vms/4) data volumes without device clashes, and leaves ceil(vms/20) detached', () => {
    const volumes = state.list('volumes');
    const data = volumes.filter((volume) => volume.attached_vm_id !== null && volume.device !== '/dev/vda');
    const detached = volumes.filter((volume) => volume.attached_vm_id === null);
    expect(data).to.have.length(50);
    expect(detached).to.have.length(10);
    for (const volume of detached) expect(volume).to.include({ status: 'available', device: null });
    const slots = new Set(data.map((volume) => `${volume.attached_vm_id} ${volume.device}`));
    expect(slots.size).to.equal(data.length);
  });

  it('keeps the remaining listeners and the change when one listener throws', () => {
    const local = new DemoCloudState({ seed: 1, vms: 10, region: 'us-east-1' });
    const seen: string[] = [];
    local.onChange(() => {
      throw new Error('listener broke');
    });
    local.onChange((event) => seen.push(event.id));
    const next = local.get('vms', 'vm-0000001')?.power_state === 'paused' ? 'running' : 'paused';
    expect(() => local.setPowerState('vm-0000001', next)).to.throw(AggregateError);
    expect(seen).to.deep.equal(['vm-0000001']);
  });

  it('refuses bad options eagerly', () => {
    expect(() => new DemoCloudState({ seed: 1, vms: -1, region: 'us-east-1' })).to.throw(InvalidInputError, /vms/);
    expect(() => new DemoCloudState({ seed: 1, vms: 1, region: 'moon-1' })).to.throw(InvalidInputError, /region/);
  });
});

describe('demo cloud helpers', () => {
  it('formats ids so that lexical order is numeric order', () => {
    expect(formatId('vms', 1)).to.equal('vm-0000001');
    expect(formatId('volumes', 1_234_567)).to.equal('vol-1234567');
    expect(formatId('vms', 99) < formatId('vms', 100)).to.equal(true);
    expect(() => formatId('flavors', 100)).to.throw(/out of range/);
  });

  it('formats ISO times exactly like Date#toISOString', () => {
    const rng = new Random(3);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor((rng.next() * 200 - 100) * 365 * 24 * 3600) * 1000 + Date.UTC(2000, 0, 1);
      expect(isoSeconds(ms)).to.equal(new Date(ms).toISOString());
    }
  });

  it('samples distinct indexes within range, reproducibly', () => {
    const picked = new Random(9).sampleIndexes(1000, 300);
    expect(new Set(picked).size).to.equal(300);
    for (const index of picked) expect(index).to.be.within(0, 999);
    expect(new Random(9).sampleIndexes(1000, 300)).to.deep.equal(picked);
    expect(new Random(9).sampleIndexes(5, 5).sort()).to.deep.equal([0, 1, 2, 3, 4]);
  });
});
