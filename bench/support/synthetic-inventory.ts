import type { DataSource, QueryRunner } from 'typeorm';

/** The tables the synthetic inventory fills, referenced tables first. */
const TABLES = [
  'cloud_availability_zones', 'cloud_flavors', 'cloud_images', 'cloud_security_groups', 'cloud_hosts', 'cloud_vms', 'cloud_volumes', 'cloud_vm_security_groups',
];

export interface SyntheticInventory {
  providerIds: string[];
  counts: Record<string, number>;
  seconds: number;
}

/**
 * A cloud inventory of `vms` VMs over `providers` (disabled) demo providers, written by INSERT ... SELECT
 * generate_series in the database: per provider 3 zones, 20 flavors, 10 images, 10 security groups and a host per
 * 25 VMs; each VM with a flavor, image, zone and host, one volume (every fourth a second) and a security group. About
 * 1 in 100 VMs has no name and 1 in 13 no launch time, as providers sometimes report them; the others were
 * launched through 2025.
 *
 * The tables' indexes are dropped for the load and made again from their own definitions: building an index
 * from sorted rows is many times faster than growing it row by row, and the result is the same index. Where the
 * database user may (a superuser), foreign keys are not checked row by row either: the rows are made consistent.
 */
export async function loadSyntheticInventory(dataSource: DataSource, options: { vms: number; providers: number }): Promise<SyntheticInventory> {
  const runner = dataSource.createQueryRunner();
  try {
    return await load(runner, options);
  } finally {
    await runner.release();
  }
}

async function load(runner: QueryRunner, options: { vms: number; providers: number }): Promise<SyntheticInventory> {
  const started = performance.now();
  // Only replication-role sessions skip the foreign keys' triggers; a user who may not set it gets them checked.
  await runner.query(`DO $$ BEGIN SET session_replication_role = replica; EXCEPTION WHEN insufficient_privilege THEN NULL; END $$`);
  const perProvider = Math.ceil(options.vms / options.providers);
  const providers: { id: string }[] = await runner.query(
    `INSERT INTO providers (type, name, region, config, enabled, setup_state)
     SELECT 'demo', 'bench-api-' || p, 'us-east-1', '{"endpoint": "http://127.0.0.1:9"}', false, 'ready' FROM generate_series(1, $1) p RETURNING id::text`,
    [options.providers],
  );
  const indexes: { name: string; definition: string }[] = await runner.query(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [TABLES],
  );
  for (const { name } of indexes) await runner.query(`DROP INDEX "${name}"`);

  for (const { id } of providers) {
    await runner.query(`INSERT INTO cloud_availability_zones (provider_id, content_hash, ems_ref, name, state)
      SELECT $1, 'bench', 'zone-' || z, 'us-east-1' || chr(96 + z), 'available' FROM generate_series(1, 3) z`, [id]);
    await runner.query(`INSERT INTO cloud_flavors (provider_id, content_hash, ems_ref, name, cpus, memory_mb, root_disk_gb)
      SELECT $1, 'bench', 'flavor-' || f, 'm' || f || '.large', 1 + f % 16, 1024 * (1 + f % 32), 20 * (1 + f % 5) FROM generate_series(1, 20) f`, [id]);
    await runner.query(`INSERT INTO cloud_images (provider_id, content_hash, ems_ref, name, os_type, size_bytes)
      SELECT $1, 'bench', 'image-' || i, 'image-' || i, CASE WHEN i % 3 = 0 THEN 'windows' ELSE 'linux' END, i * 1073741824::bigint
      FROM generate_series(1, 10) i`, [id]);
    await runner.query(`INSERT INTO cloud_security_groups (provider_id, content_hash, ems_ref, name, description)
      SELECT $1, 'bench', 'sg-' || s, 'sg-' || s, 'bench group ' || s FROM generate_series(1, 10) s`, [id]);
    await runner.query(`INSERT INTO cloud_hosts (provider_id, content_hash, ems_ref, name, cpu_cores, memory_mb, availability_zone_id)
      SELECT $1, 'bench', 'host-' || h, 'host-' || lpad(h::text, 6, '0'), 32 + h % 4 * 16, 262144, z.first + h % 3
      FROM (SELECT min(id) AS first FROM cloud_availability_zones WHERE provider_id = $1) z, generate_series(1, greatest(1, $2::int / 25)) h`, [id, perProvider]);
    await runner.query(`INSERT INTO cloud_vms (provider_id, content_hash, ems_ref, uid_ems, name, raw, power_state, ip_address, launched_at,
        flavor_id, image_id, availability_zone_id, host_id)
      SELECT $1::bigint, 'bench', 'vm-' || g, md5($1::text || ':' || g)::uuid::text,
        CASE WHEN g % 101 = 0 THEN NULL ELSE (ARRAY['web', 'api', 'db', 'cache', 'batch'])[1 + g % 5] || '-' || substr(md5($1::text || '/' || g), 1, 10) END,
        jsonb_build_object('tags', jsonb_build_object('team', 'team-' || g % 7)),
        (ARRAY['running', 'running', 'running', 'stopped', 'paused'])[1 + g % 5],
        '10.' || (g / 65536) % 256 || '.' || (g / 256) % 256 || '.' || g % 256,
        CASE WHEN g % 13 = 0 THEN NULL ELSE timestamptz '2025-01-01T00:00:00Z' + g::float8 / $2 * interval '365 days' END,
        f.first + g % 20, i.first + g % 10, z.first + g % 3, h.first + g % h.count
      FROM (SELECT min(id) AS first FROM cloud_flavors WHERE provider_id = $1) f,
        (SELECT min(id) AS first FROM cloud_images WHERE provider_id = $1) i,
        (SELECT min(id) AS first FROM cloud_availability_zones WHERE provider_id = $1) z,
        (SELECT min(id) AS first, count(*) AS count FROM cloud_hosts WHERE provider_id = $1) h,
        generate_series(1, $2::int) g`, [id, perProvider]);
  }
  await runner.query(`INSERT INTO cloud_volumes (provider_id, content_hash, ems_ref, name, size_gb, status, device, vm_id, availability_zone_id)
    SELECT v.provider_id, 'bench', 'vol-' || v.ems_ref || '-' || d, coalesce(v.name, v.ems_ref) || '-disk' || d, 20 * d, 'in-use', '/dev/vd' || chr(96 + d),
      v.id, v.availability_zone_id
    FROM cloud_vms v CROSS JOIN generate_series(1, 2) d WHERE d = 1 OR v.id % 4 = 0`);
  await runner.query(`INSERT INTO cloud_vm_security_groups (provider_id, content_hash, vm_id, security_group_id)
    SELECT v.provider_id, 'bench', v.id, s.first + v.id % 10
    FROM cloud_vms v JOIN (SELECT provider_id, min(id) AS first FROM cloud_security_groups GROUP BY provider_id) s ON s.provider_id = v.provider_id`);

  await runner.query('RESET session_replication_role');
  // Index builds sort in this much memory instead of spilling to disk (the trigram indexes the most).
  await runner.query(`SET maintenance_work_mem = '512MB'`);
  for (const { definition } of indexes) await runner.query(definition);
  await runner.query('RESET maintenance_work_mem');
  await runner.query(`VACUUM ANALYZE ${TABLES.join(', ')}`);
  // The load leaves gigabytes of dirty pages; written now, not by the checkpointer while something is measured.
  await runner.query('CHECKPOINT');
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = Number((await runner.query(`SELECT count(*) AS count FROM ${table}`))[0].count);
  return { providerIds: providers.map((p) => p.id), counts, seconds: (performance.now() - started) / 1000 };
}
