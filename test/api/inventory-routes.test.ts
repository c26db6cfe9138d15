import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { entities } from '../../src/models';
import { InventoryCatalog } from '../../src/api/inventory/inventory-catalog';
import { InventoryReader } from '../../src/api/inventory/inventory-reader';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

interface Page {
  items: Record<string, unknown>[];
  next: string | null;
  total?: { count: number; estimated: boolean };
}

interface Catalog {
  name: string;
  searchable: boolean;
  fields: { name: string; type: string; filterable: boolean; sortable: boolean }[];
  relations: { name: string; kind: string; collection: string; field?: string; via?: string }[];
}

type Row = Record<string, unknown> & { id: string; relations: Record<string, unknown>; relationsTruncated: string[] };

const ids = (items: readonly Record<string, unknown>[]): string[] => items.map((item) => String(item.id));

describe('API: inventory', function () {
  let api: ApiFixture;
  let demo: DemoFixture;
  let db: DataSource;
  let providerId: string;

  /** Ids of rows of `table` of the demo provider meeting `where` (with $2...), in `order`, as the API would list them. */
  async function dbIds(table: string, where: string, params: unknown[], order = 'id'): Promise<string[]> {
    // Named apart from the id column, which ORDER BY would otherwise take as the text.
    const rows: { rowId: string }[] = await db.query(`SELECT id::text AS "rowId" FROM ${table} WHERE provider_id = $1 AND (${where}) ORDER BY ${order}`, [providerId, ...params]);
    return rows.map((row) => row.rowId);
  }

  async function list(path: string): Promise<Page> {
    const response = await api.get(`/api/v1/inventory/${path}`);
    expect(response.statusCode, `${path}: ${response.body}`).to.equal(200);
    return response.json() as Page;
  }

  /** Every page of a list, `limit` rows at a time, following `next`. */
  async function allPages(path: string, limit: number): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 1000; pages += 1) {
      const page: Page = await list(`${path}&limit=${limit}${after ? `&after=${after}` : ''}`);
      expect(page.items.length, 'a page is never longer than its limit').to.be.at.most(limit);
      rows.push(...page.items);
      if (page.next === null) return rows;
      after = page.next;
    }
    throw new Error(`${path}: more than 1000 pages`);
  }

  async function refused(path: string, status: number): Promise<string> {
    const response = await api.get(`/api/v1/inventory/${path}`);
    expect(response.statusCode, `${path}: ${response.body}`).to.equal(status);
    return (response.json() as { error: string }).error;
  }

  before(async function () {
    this.timeout(60_000);
    db = testEnv().dataSource;
    api = await ApiFixture.start();
    demo = await DemoFixture.start({ vms: 60, seed: 11 });
    const outcome = await demo.refresh();
    expect(outcome.status).to.equal('ok');
    providerId = demo.provider.id;
    // NULLs to sort around: a few VMs without a name or a launch time, as providers sometimes report them.
    await db.query(`UPDATE cloud_vms SET name = NULL WHERE provider_id = $1 AND id IN (SELECT id FROM cloud_vms WHERE provider_id = $1 ORDER BY id LIMIT 5)`, [providerId]);
    await db.query(`UPDATE cloud_vms SET launched_at = NULL WHERE provider_id = $1 AND id % 4 = 0`, [providerId]);
    // Two VMs launched in the same millisecond, apart by microseconds: a cursor must tell them apart.
    await db.query(`UPDATE cloud_vms SET launched_at = '2026-03-01T10:00:00.123456Z' WHERE id = (SELECT min(id) FROM cloud_vms WHERE provider_id = $1 AND id % 4 = 1)`, [providerId]);
    await db.query(`UPDATE cloud_vms SET launched_at = '2026-03-01T10:00:00.123789Z' WHERE id = (SELECT min(id) FROM cloud_vms WHERE provider_id = $1 AND id % 4 = 2)`, [providerId]);
  });
  after(async () => {
    await api?.close();
    await demo?.close();
  });

  it('lists the collections with their typed fields and relations, from the entities', async () => {
    const response = await api.get('/api/v1/inventory');
    expect(response.statusCode).to.equal(200);
    const catalog = response.json() as Catalog[];
    expect(catalog.map((c) => c.name)).to.include.members(['cloud_vms', 'cloud_hosts', 'cloud_volumes', 'container_pods', 'containers', 'infra_vms', 'cloud_vm_security_groups']);
    const vms = catalog.find((c) => c.name === 'cloud_vms')!;
    const field = (name: string) => vms.fields.find((f) => f.name === name);
    expect(field('id')).to.deep.equal({ name: 'id', type: 'id', filterable: true, sortable: true });
    expect(field('name')).to.deep.equal({ name: 'name', type: 'string', filterable: true, sortable: true });
    expect(field('launchedAt')).to.deep.equal({ name: 'launchedAt', type: 'timestamp', filterable: true, sortable: true });
    expect(field('flavorId')).to.deep.equal({ name: 'flavorId', type: 'id', filterable: true, sortable: true });
    expect(field('raw')).to.deep.equal({ name: 'raw', type: 'json', filterable: false, sortable: false });
    expect(field('contentHash'), 'the refresh\'s bookkeeping is not shown').to.equal(undefined);
    expect(vms.searchable).to.equal(true);
    expect(vms.relations).to.deep.include({ name: 'flavor', kind: 'one', collection: 'cloud_flavors', field: 'flavorId' });
    expect(vms.relations).to.deep.include({ name: 'host', kind: 'one', collection: 'cloud_hosts', field: 'hostId' });
    expect(vms.relations).to.deep.include({ name: 'volumes', kind: 'many', collection: 'cloud_volumes', field: 'vmId' });
    expect(vms.relations).to.deep.include({ name: 'securityGroups', kind: 'many', collection: 'cloud_security_groups', via: 'cloud_vm_security_groups' });
    const pods = catalog.find((c) => c.name === 'container_pods')!;
    expect(pods.relations.map((r) => r.name)).to.have.members(['namespace', 'node', 'replicaSet', 'containers', 'services', 'persistentVolumeClaims']);
    expect(catalog.find((c) => c.name === 'container_nodes')!.fields).to.deep.include({ name: 'ready', type: 'boolean', filterable: true, sortable: true });
    expect(catalog.find((c) => c.name === 'cloud_vm_security_groups')!.searchable).to.equal(false);
  });

  it('filters by equality, several values of a field meaning any of them', async () => {
    const [{ state }] = await db.query(`SELECT power_state AS state FROM cloud_vms WHERE provider_id = $1 GROUP BY power_state ORDER BY count(*) DESC LIMIT 1`, [providerId]);
    const page = await list(`cloud_vms?providerId=${providerId}&powerState=${state}&limit=1000`);
    expect(ids(page.items)).to.deep.equal(await dbIds('cloud_vms', 'power_state = $2', [state]));
    expect(page.items.every((vm) => vm.powerState === state)).to.equal(true);
    expect(page.next).to.equal(null);

    const either = await list(`cloud_vms?providerId=${providerId}&powerState=running&powerState=stopped&limit=1000`);
    expect(ids(either.items)).to.deep.equal(await dbIds('cloud_vms', `power_state IN ('running', 'stopped')`, []));
    expect((await list(`cloud_vms?providerId=${providerId}&name=${encodeURIComponent("x' OR '1'='1")}`)).items, 'a value is only ever a value').to.deep.equal([]);
  });

  it('compares with gt, gte, lt and lte, and tells NULLs with .null', async () => {
    const [{ median }] = await db.query(`SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY size_gb) AS median FROM cloud_volumes WHERE provider_id = $1`, [providerId]);
    for (const [operator, sql] of [['gt', '>'], ['gte', '>='], ['lt', '<'], ['lte', '<=']]) {
      const page = await list(`cloud_volumes?providerId=${providerId}&sizeGb.${operator}=${median}&limit=1000`);
      const expected = await dbIds('cloud_volumes', `size_gb ${sql} $2`, [median]);
      expect(ids(page.items), `sizeGb.${operator}=${median}`).to.deep.equal(expected);
      expect(expected.length, 'the comparison selects some volumes').to.be.greaterThan(0);
    }
    const from = '2026-01-01T00:00:00Z';
    const launched = await list(`cloud_vms?providerId=${providerId}&launchedAt.gte=${from}&launchedAt.lt=2030-01-01&limit=1000`);
    expect(ids(launched.items)).to.deep.equal(await dbIds('cloud_vms', `launched_at >= $2 AND launched_at < '2030-01-01T00:00:00Z'`, [from]));
    const exact = await list(`cloud_vms?providerId=${providerId}&launchedAt=2026-03-01T10:00:00.123789Z`);
    expect(exact.items, 'a timestamp compares to the microsecond').to.have.length(1);

    const unlaunched = await list(`cloud_vms?providerId=${providerId}&launchedAt.null=true&limit=1000`);
    expect(ids(unlaunched.items)).to.deep.equal(await dbIds('cloud_vms', 'launched_at IS NULL', []));
    expect(unlaunched.items.length).to.be.greaterThan(0);
    const launchedSome = await list(`cloud_vms?providerId=${providerId}&launchedAt.null=false&limit=1000`);
    expect(ids(launchedSome.items)).to.deep.equal(await dbIds('cloud_vms', 'launched_at IS NOT NULL', []));
  });

  it('searches names with q, in any case, its % and _ matching themselves', async () => {
    const [{ name }] = await db.query(`SELECT name FROM cloud_vms WHERE provider_id = $1 AND name IS NOT NULL ORDER BY id LIMIT 1`, [providerId]);
    const part = String(name).slice(1, 5);
    const page = await list(`cloud_vms?providerId=${providerId}&q=${encodeURIComponent(part.toUpperCase())}&limit=1000`);
    expect(ids(page.items)).to.deep.equal(await dbIds('cloud_vms', `position(lower($2) IN lower(name)) > 0`, [part]));
    expect(page.items.length).to.be.greaterThan(0);
    expect((await list(`cloud_vms?providerId=${providerId}&q=%25`)).items, 'no name has a %').to.deep.equal([]);
    expect((await list(`cloud_vms?providerId=${providerId}&q=_`)).items, 'no name has an _').to.deep.equal([]);
  });

  it('sorts by a field both ways, NULLs last (first descending), ties by id', async () => {
    const ascending = await list(`cloud_vms?providerId=${providerId}&sort=name&limit=1000`);
    expect(ids(ascending.items)).to.deep.equal(await dbIds('cloud_vms', 'true', [], 'name ASC NULLS LAST, id ASC'));
    expect(ascending.items[ascending.items.length - 1].name).to.equal(null);
    const descending = await list(`cloud_vms?providerId=${providerId}&sort=-name&limit=1000`);
    expect(ids(descending.items)).to.deep.equal(await dbIds('cloud_vms', 'true', [], 'name DESC NULLS FIRST, id DESC'));
    expect(descending.items[0].name).to.equal(null);
    const byId = await list(`cloud_vms?providerId=${providerId}&sort=-id&limit=1000`);
    expect(ids(byId.items)).to.deep.equal(await dbIds('cloud_vms', 'true', [], 'id DESC'));
  });

  it('pages through a whole collection with cursors, to the same rows as one ordered query, across NULLs', async () => {
    const cases: [string, string][] = [
      ['name', 'name ASC NULLS LAST, id ASC'],
      ['-name', 'name DESC NULLS FIRST, id DESC'],
      ['launchedAt', 'launched_at ASC NULLS LAST, id ASC'],
      ['-launchedAt', 'launched_at DESC NULLS FIRST, id DESC'],
      ['powerState', 'power_state ASC NULLS LAST, id ASC'],
      ['id', 'id ASC'],
      ['-id', 'id DESC'],
    ];
    for (const [sort, order] of cases) {
      for (const limit of [1, 7]) {
        const rows = await allPages(`cloud_vms?providerId=${providerId}&sort=${sort}`, limit);
        expect(ids(rows), `sort=${sort} limit=${limit}`).to.deep.equal(await dbIds('cloud_vms', 'true', [], order));
      }
    }
    const filtered = await allPages(`cloud_vms?providerId=${providerId}&powerState.gte=r&sort=-name`, 4);
    expect(ids(filtered)).to.deep.equal(await dbIds('cloud_vms', `power_state >= 'r'`, [], 'name DESC NULLS FIRST, id DESC'));
  });

  it('gives the whole list\'s size with total=true: its filters and search, whatever the page', async () => {
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM cloud_vms WHERE provider_id = $1 AND power_state = 'running' AND name ILIKE '%1%'`, [providerId]);
    expect(count, 'the fixture has running VMs with a 1 in their name').to.be.above(2);
    const first = await list(`cloud_vms?providerId=${providerId}&powerState=running&q=1&limit=2&total=true`);
    expect(first.items).to.have.length(2);
    expect(first.total).to.deep.equal({ count, estimated: false });
    expect((await list(`cloud_vms?providerId=${providerId}&powerState=running&q=1&limit=2&total=true&after=${first.next}`)).total).to.deep.equal({ count, estimated: false });
    expect((await list(`cloud_vms?providerId=${providerId}&limit=2`)).total, 'only when asked for').to.equal(undefined);
    expect(await refused('cloud_vms?total=yes', 400)).to.equal('querystring.total: must be true or false');
  });

  it('returns the fields asked for (the id always), and rows as the database holds them', async () => {
    const page = await list(`cloud_vms?providerId=${providerId}&fields=name,powerState&limit=3&sort=-launchedAt`);
    expect(page.items).to.have.length(3);
    for (const item of page.items) expect(Object.keys(item)).to.have.members(['id', 'name', 'powerState']);
    const rest = await list(`cloud_vms?providerId=${providerId}&fields=name&sort=-launchedAt&limit=3&after=${page.next}`);
    expect(ids(rest.items), 'a cursor of a sort not shown still pages').to.deep.equal((await dbIds('cloud_vms', 'true', [], 'launched_at DESC NULLS FIRST, id DESC')).slice(3, 6));
    const withRaw = await list(`cloud_vms?providerId=${providerId}&fields=raw&limit=1`);
    expect(Object.keys(withRaw.items[0])).to.have.members(['id', 'raw']);

    const [vm] = await list(`cloud_vms?providerId=${providerId}&launchedAt.null=false&limit=1`).then((p) => p.items);
    const [stored] = await db.query(`SELECT * FROM cloud_vms WHERE id = $1`, [vm.id]);
    expect(vm).to.deep.equal({
      id: stored.id, providerId: stored.provider_id, emsRef: stored.ems_ref, uidEms: stored.uid_ems, name: stored.name, powerState: stored.power_state,
      ipAddress: stored.ip_address, flavorId: stored.flavor_id, imageId: stored.image_id, availabilityZoneId: stored.availability_zone_id,
      hostId: stored.host_id, bootVolumeId: stored.boot_volume_id, archivedAt: null,
      createdAt: vm.createdAt, updatedAt: vm.updatedAt, launchedAt: vm.launchedAt,
    });
    for (const [field, column] of [['createdAt', 'created_at'], ['updatedAt', 'updated_at'], ['launchedAt', 'launched_at']]) {
      expect(vm[field]).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(new Date(String(vm[field])).getTime(), field).to.equal((stored[column] as Date).getTime());
    }
    expect(vm).not.to.have.property('raw');
    expect(vm).not.to.have.property('contentHash');

    // Text the database writes into JSON comes out as it went in.
    const name = 'quote " back \\ slash \u00fc \u{1F600} tab\t';
    await db.query(`UPDATE cloud_vms SET name = $2 WHERE id = $1`, [vm.id, name]);
    const [renamed] = (await list(`cloud_vms?id=${vm.id}&fields=name`)).items;
    expect(renamed).to.deep.equal({ id: vm.id, name });
    await db.query(`UPDATE cloud_vms SET name = $2 WHERE id = $1`, [vm.id, stored.name]);
  });

  it('includes archived objects, which archivedAt filters like any field', async () => {
    const [{ id }] = await db.query(`SELECT max(id)::text AS id FROM cloud_volumes WHERE provider_id = $1`, [providerId]);
    await db.query(`UPDATE cloud_volumes SET archived_at = now() WHERE id = $1`, [id]);
    try {
      expect(ids((await list(`cloud_volumes?providerId=${providerId}&limit=1000`)).items)).to.include(id);
      expect(ids((await list(`cloud_volumes?providerId=${providerId}&archivedAt.null=false`)).items)).to.deep.equal([id]);
      expect(ids((await list(`cloud_volumes?providerId=${providerId}&archivedAt.null=true&limit=1000`)).items)).not.to.include(id);
    } finally {
      await db.query(`UPDATE cloud_volumes SET archived_at = NULL WHERE id = $1`, [id]);
    }
  });

  it('shows a VM with its flavor, host, volumes and security groups as the database holds them', async () => {
    const [{ id }] = await db.query(`
      SELECT v.id::text AS id FROM cloud_vms v
      WHERE v.provider_id = $1 AND v.flavor_id IS NOT NULL AND v.host_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM cloud_volumes o WHERE o.vm_id = v.id) AND EXISTS (SELECT 1 FROM cloud_vm_security_groups g WHERE g.vm_id = v.id)
      ORDER BY v.id LIMIT 1`, [providerId]);
    const response = await api.get(`/api/v1/inventory/cloud_vms/${id}`);
    expect(response.statusCode, response.body).to.equal(200);
    const vm = response.json() as Row;
    const [stored] = await db.query(`SELECT * FROM cloud_vms WHERE id = $1`, [id]);
    expect(vm).to.include({ id, name: stored.name, emsRef: stored.ems_ref, flavorId: stored.flavor_id, hostId: stored.host_id });
    expect(vm.raw).to.deep.equal(stored.raw);
    expect(vm).not.to.have.property('contentHash');
    expect(vm.relationsTruncated).to.deep.equal([]);

    const { flavor, host, volumes, securityGroups, availabilityZone } = vm.relations as Record<string, Record<string, unknown> | Record<string, unknown>[] | null>;
    const [storedFlavor] = await db.query(`SELECT * FROM cloud_flavors WHERE id = $1`, [stored.flavor_id]);
    expect(flavor).to.include({ id: storedFlavor.id, emsRef: storedFlavor.ems_ref, name: storedFlavor.name, cpus: storedFlavor.cpus, memoryMb: storedFlavor.memory_mb });
    expect(flavor).not.to.have.property('raw');
    const [storedHost] = await db.query(`SELECT * FROM cloud_hosts WHERE id = $1`, [stored.host_id]);
    expect(host).to.include({ id: storedHost.id, name: storedHost.name, cpuCores: storedHost.cpu_cores });
    expect((availabilityZone as Record<string, unknown> | null)?.id ?? null).to.equal(stored.availability_zone_id);
    expect(ids(volumes as Record<string, unknown>[])).to.deep.equal((await db.query(`SELECT id::text FROM cloud_volumes WHERE vm_id = $1 ORDER BY cloud_volumes.id`, [id])).map((r: { id: string }) => r.id));
    expect((volumes as Record<string, unknown>[]).every((volume) => volume.vmId === id)).to.equal(true);
    const groups = await db.query(`SELECT security_group_id::text AS id FROM cloud_vm_security_groups WHERE vm_id = $1 ORDER BY security_group_id`, [id]);
    expect(ids(securityGroups as Record<string, unknown>[])).to.deep.equal(groups.map((r: { id: string }) => r.id));
    expect(groups.length).to.be.greaterThan(0);
  });

  describe('of a provider without a provider type for them (rows written directly)', () => {
    let other: string;
    let podId: string;
    let vmId: string;

    before(async () => {
      const provider = await demo.store.create({
        type: 'demo', name: `inventory-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
        config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
      }, { verify: false });
      other = provider.id;
      const insert = async (table: string, columns: Record<string, unknown>): Promise<string> => {
        const names = ['provider_id', 'content_hash', ...Object.keys(columns)];
        const values = [other, 'test', ...Object.values(columns)];
        const [row] = await db.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id::text`, values);
        return row.id;
      };
      const node = await insert('container_nodes', { ems_ref: 'node-1', name: 'node-1', ready: true, cpu_cores: 8, memory_bytes: '34359738368' });
      await insert('container_nodes', { ems_ref: 'node-2', name: 'node-2', ready: false });
      const namespace = await insert('container_namespaces', { ems_ref: 'ns-1', name: 'default', phase: 'Active' });
      podId = await insert('container_pods', { ems_ref: 'pod-1', name: 'web-1', phase: 'Running', labels: JSON.stringify({ app: 'web' }), node_id: node, namespace_id: namespace });
      for (const name of ['nginx', 'sidecar']) await insert('containers', { ems_ref: `pod-1/${name}`, name, image: `${name}:1`, state: 'running', restart_count: 0, pod_id: podId });
      const service = await insert('container_services', { ems_ref: 'svc-1', name: 'web', namespace_id: namespace });
      await insert('container_service_pods', { service_id: service, pod_id: podId });
      vmId = await insert('cloud_vms', { ems_ref: 'vm-many', name: 'many-volumes' });
      await db.query(`INSERT INTO cloud_volumes (provider_id, content_hash, ems_ref, name, vm_id) SELECT $1, 'test', 'vol-' || n, 'vol-' || n, $2 FROM generate_series(1, 101) n`, [other, vmId]);
    });

    it('shows a pod with its node, namespace, containers and services', async () => {
      const response = await api.get(`/api/v1/inventory/container_pods/${podId}`);
      expect(response.statusCode, response.body).to.equal(200);
      const pod = response.json() as Row;
      expect(pod).to.include({ id: podId, name: 'web-1', phase: 'Running', providerId: other });
      expect(pod.labels).to.deep.equal({ app: 'web' });
      const { node, namespace, containers, services } = pod.relations as Record<string, Record<string, unknown> & Record<string, unknown>[]>;
      expect(node).to.include({ name: 'node-1', ready: true, cpuCores: 8, memoryBytes: 34359738368 });
      expect(namespace).to.include({ name: 'default', phase: 'Active' });
      expect(containers.map((c) => [c.name, c.image, c.podId])).to.deep.equal([['nginx', 'nginx:1', podId], ['sidecar', 'sidecar:1', podId]]);
      expect(services.map((s) => s.name)).to.deep.equal(['web']);
      expect((await list(`container_nodes?providerId=${other}&ready=false`)).items.map((n) => n.name)).to.deep.equal(['node-2']);
    });

    it('estimates, and says so, the size of a list past 10,000 rows', async () => {
      await db.query(`INSERT INTO cloud_flavors (provider_id, content_hash, ems_ref, name) SELECT $1, 'test', 'flavor-' || n, 'flavor-' || n FROM generate_series(1, 12000) n`, [other]);
      await db.query('ANALYZE cloud_flavors');
      const { total } = await list(`cloud_flavors?providerId=${other}&limit=1&total=true`);
      expect(total?.estimated).to.equal(true);
      expect(total?.count, 'an estimate, never below the 10,001 rows counted').to.be.within(10_001, 20_000);
      expect((await list(`cloud_flavors?providerId=${other}&name=flavor-7&total=true`)).total).to.deep.equal({ count: 1, estimated: false });
    });

    it('cuts a long list at 100 rows and says so', async () => {
      const vm = (await api.get(`/api/v1/inventory/cloud_vms/${vmId}`)).json() as Row;
      expect(vm.relations.volumes).to.have.length(100);
      expect(vm.relationsTruncated).to.deep.equal(['volumes']);
      const all = await allPages(`cloud_volumes?vmId=${vmId}`, 1000);
      expect(all).to.have.length(101);
    });
  });

  it('shares its database connections with another reader (prepared statements are named by their text)', async () => {
    // One connection, so both readers' statements meet on it.
    const shared = createDataSource({ databaseUrl: testEnv().databaseUrl, poolSize: 1 });
    await shared.initialize();
    try {
      const catalog = InventoryCatalog.fromEntities(shared, entities);
      const [first, second] = [new InventoryReader({ dataSource: shared, catalog }), new InventoryReader({ dataSource: shared, catalog })];
      const byRef = JSON.parse(await first.pageJson('cloud_vms', { providerId, sort: 'emsRef', limit: '3' })) as Page;
      const byRefDescending = JSON.parse(await second.pageJson('cloud_vms', { providerId, sort: '-emsRef', limit: '3' })) as Page;
      expect(ids(byRef.items)).to.deep.equal((await dbIds('cloud_vms', 'true', [], 'ems_ref')).slice(0, 3));
      expect(ids(byRefDescending.items)).to.deep.equal((await dbIds('cloud_vms', 'true', [], 'ems_ref DESC')).slice(0, 3));
      const flavorId = (JSON.parse(await first.rowJson('cloud_vms', byRef.items[0].id as string)) as Row).flavorId as string;
      expect(JSON.parse(await second.rowJson('cloud_flavors', flavorId))).to.include({ id: flavorId });
    } finally {
      await shared.destroy();
    }
  });

  it('refuses what it does not understand with 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      [`cloud_volumes?sizeGb.gte=abc`, 'querystring.sizeGb.gte: must be an integer'],
      [`cloud_volumes?sizeGb=1.5`, 'querystring.sizeGb: must be an integer'],
      [`cloud_volumes?sizeGb=99999999999`, 'querystring.sizeGb: must be an integer from -2147483648 to 2147483647'],
      [`cloud_vms?launchedAt.lt=yesterday`, 'querystring.launchedAt.lt: must be a timestamp'],
      [`cloud_vms?launchedAt.lt=2026-02-30`, 'querystring.launchedAt.lt: must be a timestamp'],
      [`cloud_vms?launchedAt.lt=2026-02-01T10:00:00`, 'querystring.launchedAt.lt: must be a timestamp'],
      [`container_nodes?ready=yes`, 'querystring.ready: must be true or false'],
      [`cloud_vms?providerId=abc`, 'querystring.providerId: must be an id'],
      [`cloud_vms?colour=red`, 'querystring.colour: is not a known field'],
      [`cloud_vms?name.like=a`, 'querystring.name.like: unknown operator "like"'],
      [`cloud_vms?colour.gt=1`, 'querystring.colour.gt: is not a known field'],
      [`cloud_vms?raw=1`, 'querystring.raw: is a JSON document'],
      [`cloud_vms?archivedAt.null=maybe`, 'querystring.archivedAt.null: must be true or false'],
      [`cloud_vms?name.gt=a&name.gt=b`, 'querystring.name.gt: is given more than once'],
      [`cloud_vms?limit=0`, 'querystring.limit: must be >= 1'],
      [`cloud_vms?limit=1001`, 'querystring.limit: must be <= 1000'],
      [`cloud_vms?limit=ten`, 'querystring.limit: must be an integer'],
      [`cloud_vms?limit=-3`, 'querystring.limit: must be >= 1'],
      [`cloud_vms?limit=123456789012`, 'querystring.limit: must be <= 1000'],
      [`cloud_vms?sort=colour`, 'querystring.sort: "colour" is not a known field'],
      [`cloud_vms?sort=raw`, 'querystring.sort: "raw" is a JSON document'],
      [`cloud_vms?sort=name&sort=id`, 'querystring.sort: is given more than once'],
      [`cloud_vms?fields=name,colour`, 'querystring.fields: "colour" is not a known field'],
      [`cloud_vms?fields=contentHash`, 'querystring.fields: "contentHash" is not a known field'],
      [`cloud_vm_security_groups?q=a`, 'querystring.q: cloud_vm_security_groups have no name'],
      [`cloud_vms?name=${encodeURIComponent('a\u0000b')}`, 'querystring.name: must not contain NUL'],
    ];
    for (const [path, message] of cases) {
      expect(await refused(path, 400), path).to.satisfy((error: string) => error.startsWith(message));
    }
    expect(await refused('cloud_vms/12abc', 400)).to.match(/^params\.id: /);
    expect(await refused('cloud_vms/0', 400)).to.match(/^params\.id: /);
  });

  it('refuses a cursor it did not make, or made for another sort, with 400', async () => {
    const page = await list(`cloud_vms?providerId=${providerId}&sort=name&limit=2`);
    expect(page.next).to.be.a('string');
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tampered: [string, string][] = [
      ['name', 'garbage!'],
      ['name', 'e30'],
      ['name', encode([1, 2])],
      ['name', encode({ s: 'name', v: 5, i: '1' })],
      ['name', encode({ s: 'name', v: 'a', i: 'x' })],
      ['name', `${page.next}x!`],
      ['launchedAt', encode({ s: 'launchedAt', v: 'not a time', i: '1' })],
      ['emsRef', encode({ s: 'emsRef', v: null, i: '1' })],
      ['-name', String(page.next)],
    ];
    for (const [sort, after] of tampered) {
      expect(await refused(`cloud_vms?sort=${sort}&after=${encodeURIComponent(after)}`, 400), `${sort} ${after}`).to.match(/^querystring\.after: /);
    }
  });

  it('answers 404 for an unknown collection or row', async () => {
    expect(await refused('no_such_things', 404)).to.equal('no inventory collection "no_such_things"');
    expect(await refused('no_such_things/1', 404)).to.equal('no inventory collection "no_such_things"');
    expect(await refused('cloud_vms/999999999', 404)).to.equal('no cloud_vms row 999999999');
    expect(await refused('providers', 404), 'only inventory is inventory').to.equal('no inventory collection "providers"');
  });

  it('documents its routes and the list\'s parameters in the OpenAPI document', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).to.equal(200);
    const paths = (response.json() as { paths: Record<string, { get?: { description?: string } }> }).paths;
    expect(paths).to.include.keys('/api/v1/inventory', '/api/v1/inventory/{collection}', '/api/v1/inventory/{collection}/{id}');
    const description = paths['/api/v1/inventory/{collection}'].get?.description ?? '';
    for (const parameter of ['field.gt', 'q=', 'sort=', 'limit', 'after', 'fields=']) expect(description).to.include(parameter);
  });

  it('refuses every inventory route without a token', async () => {
    for (const url of ['/api/v1/inventory', '/api/v1/inventory/cloud_vms', '/api/v1/inventory/cloud_vms/1', '/api/v1/inventory/nope']) {
      const response = await api.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).to.equal(401);
      expect(response.json()).to.deep.equal({ error: 'unauthorized' });
    }
  });
});
