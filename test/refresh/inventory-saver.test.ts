import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ValidationError } from '../../src/errors';
import { createLogger } from '../../src/logging/logger';
import { RefreshRun } from '../../src/models';
import { demoInventory, type DemoInventory } from '../../src/providers/demo/demo-inventory';
import { ProviderStore } from '../../src/providers/provider-store';
import { Inventory, type InventoryCollections } from '../../src/core/inventory/inventory';
import { collection, type InventoryDefinition } from '../../src/core/inventory/inventory-definition';
import type { RefreshScope } from '../../src/core/refresh/refresh-scope';
import { InventorySaver } from '../../src/workers/refresh/save/inventory-saver';
import { planSaveOrder } from '../../src/workers/refresh/save/save-order';
import type { SaveResult } from '../../src/workers/refresh/save/save-result';
import { CloudFlavor, CloudVm, CloudVolume } from '../../src/models';
import { testEnv } from '../support/test-env';

type Collections = InventoryCollections<DemoInventory>;

/** Saves hand-built inventories for one provider, straight through the saver (no collector, no parser). */
class SaverHarness {
  readonly logLines: string[] = [];
  private constructor(readonly providerId: string) {}

  static async create(): Promise<SaverHarness> {
    const env = testEnv();
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    const provider = await store.create({
      type: 'demo', name: `saver-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
    }, { verify: false });
    return new SaverHarness(provider.id);
  }

  async save(build: (c: Collections) => void, scope: RefreshScope = { kind: 'full' }, definition: InventoryDefinition = demoInventory): Promise<SaveResult> {
    const { dataSource } = testEnv();
    const inventory = new Inventory(dataSource, definition);
    build(inventory.collections as Collections);
    const run = await dataSource.getRepository(RefreshRun).save({ providerId: this.providerId, kind: scope.kind, source: 'cli' as const });
    const logger = createLogger({ level: 'warn', destination: new Writable({ write: (chunk, _e, done) => { this.logLines.push(String(chunk)); done(); } }) });
    const saver = await InventorySaver.open({ dataSource, providerId: this.providerId, scope, inventory, logger });
    try {
      return await saver.save(run.id);
    } finally {
      await saver.close();
    }
  }

  async query<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    return testEnv().dataSource.query(sql.replace(/\$provider/g, this.providerId));
  }
}

function buildVmsFirst(c: Collections): void {
  c.vms.build({ emsRef: 'vm-1', name: 'one', flavor: c.flavors.lazyFind('f-1'), availabilityZone: c.availabilityZones.lazyFind('az-1') });
  c.vms.build({ emsRef: 'vm-2', name: 'two', flavor: c.flavors.lazyFind('f-2'), availabilityZone: c.availabilityZones.lazyFind('az-1') });
  c.flavors.build({ emsRef: 'f-1', name: 'small', cpus: 1 });
  c.flavors.build({ emsRef: 'f-2', name: 'large', cpus: 8 });
  c.availabilityZones.build({ emsRef: 'az-1', name: 'a' });
}

function buildVmsLast(c: Collections): void {
  c.availabilityZones.build({ emsRef: 'az-1', name: 'a' });
  c.flavors.build({ emsRef: 'f-2', name: 'large', cpus: 8 });
  c.flavors.build({ emsRef: 'f-1', name: 'small', cpus: 1 });
  c.vms.build({ emsRef: 'vm-2', name: 'two', flavor: c.flavors.lazyFind('f-2'), availabilityZone: c.availabilityZones.lazyFind('az-1') });
  c.vms.build({ emsRef: 'vm-1', name: 'one', flavor: c.flavors.lazyFind('f-1'), availabilityZone: c.availabilityZones.lazyFind('az-1') });
}

const VM_FLAVORS = `SELECT v.ems_ref AS vm, f.ems_ref AS flavor, z.ems_ref AS zone FROM cloud_vms v
  LEFT JOIN cloud_flavors f ON f.id = v.flavor_id LEFT JOIN cloud_availability_zones z ON z.id = v.availability_zone_id
  WHERE v.provider_id = $provider ORDER BY v.ems_ref`;

describe('inventory saver', () => {
  it('resolves lazy references whatever order the parser built objects in', async () => {
    const first = await SaverHarness.create();
    const second = await SaverHarness.create();
    await first.save(buildVmsFirst);
    await second.save(buildVmsLast);
    const expected = [{ vm: 'vm-1', flavor: 'f-1', zone: 'az-1' }, { vm: 'vm-2', flavor: 'f-2', zone: 'az-1' }];
    expect(await first.query(VM_FLAVORS)).to.deep.equal(expected);
    expect(await second.query(VM_FLAVORS)).to.deep.equal(expected);
  });

  it('resolves references by a secondary key', async () => {
    const harness = await SaverHarness.create();
    await harness.save((c) => {
      c.vms.build({ emsRef: 'vm-1', flavor: c.flavors.lazyFind('large', { key: 'byName' }) });
      c.flavors.build({ emsRef: 'f-1', name: 'small' });
      c.flavors.build({ emsRef: 'f-2', name: 'large' });
    });
    expect(await harness.query(VM_FLAVORS)).to.deep.equal([{ vm: 'vm-1', flavor: 'f-2', zone: null }]);
  });

  it('stores a reference to a missing object as NULL, counts it and logs it once per property', async () => {
    const harness = await SaverHarness.create();
    const result = await harness.save((c) => {
      c.flavors.build({ emsRef: 'f-1' });
      c.vms.build({ emsRef: 'vm-1', flavor: c.flavors.lazyFind('f-404') });
      c.vms.build({ emsRef: 'vm-2', flavor: c.flavors.lazyFind('f-405') });
      c.vms.build({ emsRef: 'vm-3', flavor: c.flavors.lazyFind('f-1') });
    });
    expect(result.collections.vms).to.include({ created: 3, unresolvedReferences: 2 });
    expect(await harness.query(VM_FLAVORS)).to.deep.equal([
      { vm: 'vm-1', flavor: null, zone: null }, { vm: 'vm-2', flavor: null, zone: null }, { vm: 'vm-3', flavor: 'f-1', zone: null },
    ]);
    const warnings = harness.logLines.map((line) => JSON.parse(line)).filter((l) => l.event === 'refresh.reference_unresolved');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ collection: 'vms', property: 'flavor', count: 2 });
    expect(warnings[0].samples).to.deep.equal(['flavors:f-404', 'flavors:f-405']);
  });

  it('resolves references within one collection (an image derived from another), in any order', async () => {
    const harness = await SaverHarness.create();
    await harness.save((c) => {
      c.images.build({ emsRef: 'img-3', parent: c.images.lazyFind('img-2') });
      c.images.build({ emsRef: 'img-2', parent: c.images.lazyFind('img-1') });
      c.images.build({ emsRef: 'img-1' });
    });
    const rows = await harness.query(`SELECT i.ems_ref AS image, p.ems_ref AS parent FROM cloud_images i LEFT JOIN cloud_images p ON p.id = i.parent_id WHERE i.provider_id = $provider ORDER BY 1`);
    expect(rows).to.deep.equal([{ image: 'img-1', parent: null }, { image: 'img-2', parent: 'img-1' }, { image: 'img-3', parent: 'img-2' }]);
  });

  it('saves a cycle between collections (VM boot volume <-> volume VM) in one pass', async () => {
    const { dataSource } = testEnv();
    const plan = planSaveOrder(new Inventory(dataSource, demoInventory).all());
    expect(plan.order.map((c) => c.name).indexOf('securityGroups')).to.be.lessThan(plan.order.map((c) => c.name).indexOf('vmSecurityGroups'));
    expect([...plan.backEdges.entries()].map(([name, props]) => [name, [...props]])).to.deep.equal([['vms', ['bootVolume']]]);

    const harness = await SaverHarness.create();
    const result = await harness.save((c) => {
      c.vms.build({ emsRef: 'vm-1', bootVolume: c.volumes.lazyFind('vol-1') });
      c.volumes.build({ emsRef: 'vol-1', vm: c.vms.lazyFind('vm-1') });
      c.volumes.build({ emsRef: 'vol-2', vm: c.vms.lazyFind('vm-1') });
    });
    expect(result.collections.vms.unresolvedReferences + result.collections.volumes.unresolvedReferences).to.equal(0);
    const rows = await harness.query(`SELECT v.ems_ref AS vm, b.ems_ref AS boot, (SELECT array_agg(ems_ref ORDER BY ems_ref) FROM cloud_volumes w WHERE w.vm_id = v.id) AS attached
      FROM cloud_vms v JOIN cloud_volumes b ON b.id = v.boot_volume_id WHERE v.provider_id = $provider`);
    expect(rows).to.deep.equal([{ vm: 'vm-1', boot: 'vol-1', attached: ['vol-1', 'vol-2'] }]);
  });

  it('fills properties a parser leaves out from the collection defaults', async () => {
    const harness = await SaverHarness.create();
    const definition = { ...demoInventory, flavors: collection({ entity: CloudFlavor, defaults: { cpus: 1, raw: { source: 'default' } } }) };
    await harness.save((c) => {
      c.flavors.build({ emsRef: 'f-1' });
      c.flavors.build({ emsRef: 'f-2', cpus: 4, raw: null });
    }, { kind: 'full' }, definition);
    expect(await harness.query(`SELECT ems_ref, cpus, raw FROM cloud_flavors WHERE provider_id = $provider ORDER BY ems_ref`)).to.deep.equal([
      { ems_ref: 'f-1', cpus: 1, raw: { source: 'default' } },
      { ems_ref: 'f-2', cpus: 4, raw: null },
    ]);
  });

  it('orders collections the same whatever order the definition lists them in', () => {
    const reversed = Object.fromEntries(Object.entries(demoInventory).reverse());
    const plan = planSaveOrder(new Inventory(testEnv().dataSource, reversed).all());
    const order = plan.order.map((c) => c.name);
    expect(order.indexOf('vms')).to.be.lessThan(order.indexOf('vmSecurityGroups'));
    expect(order.indexOf('securityGroups')).to.be.lessThan(order.indexOf('vmSecurityGroups'));
    expect(order.indexOf('flavors')).to.be.lessThan(order.indexOf('vms'));
    expect([...plan.backEdges.keys()]).to.have.length(1);
    expect(['vms', 'volumes']).to.include([...plan.backEdges.keys()][0]);
  });

  it('refuses values PostgreSQL would reject, naming the field, and accepts the limits of each type', async () => {
    const harness = await SaverHarness.create();
    const rejected: [string, (c: Collections) => void][] = [
      ['vms.name', (c) => c.vms.build({ emsRef: 'vm-1', name: 'nul\u0000inside' })],
      ['vms.raw', (c) => c.vms.build({ emsRef: 'vm-1', raw: { note: 'nul\u0000inside' } })],
      ['images.sizeBytes', (c) => c.images.build({ emsRef: 'img-1', sizeBytes: '9223372036854775808' })],
      ['flavors.cpus', (c) => c.flavors.build({ emsRef: 'f-1', cpus: 2_147_483_648 })],
      ['vms.launchedAt', (c) => c.vms.build({ emsRef: 'vm-1', launchedAt: 'yesterday-ish' })],
    ];
    for (const [field, build] of rejected) {
      const error = await harness.save(build).catch((e: unknown) => e);
      expect(error, field).to.be.instanceOf(ValidationError);
      expect((error as Error).message, field).to.contain(field);
    }
    await harness.save((c) => {
      c.flavors.build({ emsRef: 'f-min', cpus: -2_147_483_648 });
      c.images.build({ emsRef: 'img-max', sizeBytes: '9223372036854775807' });
      c.vms.build({ emsRef: 'vm-tabs', name: 'tab\there\nnewline\\backslash', launchedAt: '2024-02-29T12:00:00Z' });
    });
    const [vm] = await harness.query(`SELECT name, launched_at FROM cloud_vms WHERE provider_id = $provider`);
    expect(vm).to.deep.equal({ name: 'tab\there\nnewline\\backslash', launched_at: new Date('2024-02-29T12:00:00Z') });
    expect(await harness.query(`SELECT cpus FROM cloud_flavors WHERE provider_id = $provider`)).to.deep.equal([{ cpus: -2_147_483_648 }]);
    expect(await harness.query(`SELECT size_bytes FROM cloud_images WHERE provider_id = $provider`)).to.deep.equal([{ size_bytes: '9223372036854775807' }]);
  });

  it('refuses a cycle through a reference that identifies an object', () => {
    const definition = {
      vms: collection({ entity: CloudVm, managerRef: ['bootVolume'] }),
      volumes: collection({ entity: CloudVolume }),
    };
    const inventory = new Inventory(testEnv().dataSource, definition);
    expect(() => planSaveOrder(inventory.all())).to.throw(ValidationError, /vms.bootVolume/);
  });

  it('identifies join rows by a composite reference and folds duplicates', async () => {
    const harness = await SaverHarness.create();
    const build = (c: Collections): void => {
      c.vms.build({ emsRef: 'vm-1' });
      c.securityGroups.build({ emsRef: 'sg-1' });
      c.securityGroups.build({ emsRef: 'sg-2' });
      for (const sg of ['sg-1', 'sg-2', 'sg-1']) c.vmSecurityGroups.build({ vm: c.vms.lazyFind('vm-1'), securityGroup: c.securityGroups.lazyFind(sg) });
    };
    const first = await harness.save(build);
    expect(first.collections.vmSecurityGroups).to.include({ created: 2 });
    const second = await harness.save(build);
    expect(second.collections.vmSecurityGroups).to.include({ created: 0, unchanged: 2 });
    expect(second.writes).to.equal(0);
    const [change] = await harness.query(`SELECT ref FROM inventory_changes WHERE provider_id = $provider AND collection = 'vmSecurityGroups' ORDER BY ref LIMIT 1`);
    expect(change.ref).to.match(/^\d+\/\d+$/);
  });

  it('rejects a parser mistake with a message naming the field, writing nothing', async () => {
    const harness = await SaverHarness.create();
    await harness.save((c) => c.flavors.build({ emsRef: 'f-1', cpus: 2 }));
    const attempts: ((c: Collections) => void)[] = [
      (c) => c.flavors.build({ emsRef: 'f-1', cpus: 'many' as unknown as number }),
      (c) => c.vms.build({ emsRef: 'vm-1', flavor: 'f-1' as unknown as null }),
      (c) => c.vms.build({ emsRef: 'vm-1', colour: 'red' } as unknown as Parameters<Collections['vms']['build']>[0]),
      (c) => c.vms.build({ name: 'no reference' }),
    ];
    const messages: string[] = [];
    for (const attempt of attempts) {
      const error = await harness.save(attempt).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ValidationError);
      messages.push((error as Error).message);
    }
    expect(messages[0]).to.contain('flavors.cpus');
    expect(messages[1]).to.contain('vms.flavor');
    expect(messages[2]).to.contain('colour');
    expect(messages[3]).to.contain('emsRef');
    expect(await harness.query(`SELECT ems_ref, cpus FROM cloud_flavors WHERE provider_id = $provider`)).to.deep.equal([{ ems_ref: 'f-1', cpus: 2 }]);
  });

  it('leaves the old inventory whole when saving fails part way', async () => {
    const harness = await SaverHarness.create();
    await harness.save((c) => {
      c.vms.build({ emsRef: 'vm-1', name: 'old' });
      c.volumes.build({ emsRef: 'vol-1', sizeGb: 1 });
    });
    // vms are written before volumes; the bad volume fails the save after the VM rows changed in the transaction.
    const error = await harness.save((c) => {
      c.vms.build({ emsRef: 'vm-1', name: 'new' });
      c.vms.build({ emsRef: 'vm-2', name: 'added' });
      c.volumes.build({ emsRef: 'vol-1', sizeGb: 1.5 });
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect(await harness.query(`SELECT ems_ref, name FROM cloud_vms WHERE provider_id = $provider`)).to.deep.equal([{ ems_ref: 'vm-1', name: 'old' }]);
  });

  it('matches every stored row to its object again, keys COPY escapes and keys of any script included', async () => {
    const harness = await SaverHarness.create();
    const odd = ['back\\slash', 'tab\there', 'new\nline', 'carriage\rreturn', 'ünïcode-名前', '\\N', ' spaced '];
    const build = (c: Collections): void => {
      for (let i = 0; i < 2_500; i += 1) c.flavors.build({ emsRef: `f-${i}`, cpus: i % 16 });
      for (const ref of odd) c.flavors.build({ emsRef: ref, cpus: 1 });
      c.vms.build({ emsRef: 'vm-1', name: 'vm-1', flavor: c.flavors.lazyFind('tab\there') });
      c.vmSecurityGroups.build({ vm: c.vms.lazyFind('vm-1'), securityGroup: c.securityGroups.lazyFind('sg-1') });
      c.securityGroups.build({ emsRef: 'sg-1' });
    };
    const first = await harness.save(build);
    expect(first.collections.flavors.created).to.equal(2_500 + odd.length);
    // A row not matched would look new and collide with the unique reference index, or be deleted as gone.
    const again = await harness.save(build);
    expect(again.collections.flavors).to.include({ created: 0, unchanged: 2_500 + odd.length, deleted: 0 });
    expect(again.collections.vmSecurityGroups).to.include({ created: 0, unchanged: 1, deleted: 0 });
    expect(again.writes).to.equal(0);
    const refs = await harness.query(`SELECT ems_ref FROM cloud_flavors WHERE provider_id = $provider AND ems_ref NOT LIKE 'f-%' ORDER BY ems_ref`);
    expect(refs.map((row) => row.ems_ref)).to.have.members(odd);
  });

  it('keeps ids past 32 bits exact: new rows, stored rows matched again, and references to them', async () => {
    const harness = await SaverHarness.create();
    const big = 2 ** 32 + 7;
    // The saver keeps ids in 4 bytes until one needs more; these tables' next ids do.
    await harness.query(`SELECT setval('cloud_security_groups_id_seq', ${big}), setval('cloud_vms_id_seq', ${big})`);
    const build = (name: string) => (c: Collections): void => {
      c.securityGroups.build({ emsRef: 'sg-1', name });
      c.vms.build({ emsRef: 'vm-1', name: 'vm-1' });
      c.vmSecurityGroups.build({ vm: c.vms.lazyFind('vm-1'), securityGroup: c.securityGroups.lazyFind('sg-1') });
    };
    await harness.save(build('web'));
    const again = await harness.save(build('web servers'));
    expect(again.collections.securityGroups).to.include({ created: 0, updated: 1, deleted: 0 });
    expect(again.collections.vms).to.include({ created: 0, unchanged: 1, deleted: 0 });
    expect(again.collections.vmSecurityGroups).to.include({ created: 0, unchanged: 1, deleted: 0 });
    const [row] = await harness.query(`SELECT m.vm_id::text AS vm, m.security_group_id::text AS sg, g.name FROM cloud_vm_security_groups m
      JOIN cloud_security_groups g ON g.id = m.security_group_id WHERE m.provider_id = $provider`);
    expect(Number(row.vm)).to.be.greaterThan(big);
    expect(Number(row.sg)).to.be.greaterThan(big);
    expect(row.name).to.equal('web servers');
  });

  it('scopes a targeted save to its targets and their children', async () => {
    const harness = await SaverHarness.create();
    const full = (c: Collections): void => {
      c.securityGroups.build({ emsRef: 'sg-1' });
      for (const vm of ['vm-1', 'vm-2']) {
        c.vms.build({ emsRef: vm, name: vm });
        c.vmSecurityGroups.build({ vm: c.vms.lazyFind(vm), securityGroup: c.securityGroups.lazyFind('sg-1') });
      }
    };
    await harness.save(full);
    // vm-1 is the target and comes back without memberships; vm-2 is not mentioned and must be left alone.
    const result = await harness.save((c) => c.vms.build({ emsRef: 'vm-1', name: 'renamed' }), { kind: 'targeted', targets: [{ collection: 'vms', ref: 'vm-1' }] });
    expect(result.collections.vms).to.include({ updated: 1, deleted: 0 });
    expect(result.collections.vmSecurityGroups).to.include({ deleted: 1 });
    const rows = await harness.query(`SELECT v.ems_ref, v.name, v.archived_at IS NULL AS live, count(m.id)::int AS memberships FROM cloud_vms v
      LEFT JOIN cloud_vm_security_groups m ON m.vm_id = v.id WHERE v.provider_id = $provider GROUP BY v.id ORDER BY v.ems_ref`);
    expect(rows).to.deep.equal([
      { ems_ref: 'vm-1', name: 'renamed', live: true, memberships: 0 },
      { ems_ref: 'vm-2', name: 'vm-2', live: true, memberships: 1 },
    ]);
  });
});
