import type { PoolClient } from 'pg';
import { copyInto, DEMO_TABLES } from './scratch-tables';

/** Baseline 1: the rows COPYed straight into the scratch tables, in one transaction. Returns seconds. */
export async function rawCopy(client: PoolClient, rows: Map<string, Buffer>): Promise<number> {
  const started = performance.now();
  await client.query('BEGIN');
  await client.query('SET CONSTRAINTS ALL DEFERRED');
  for (const table of DEMO_TABLES) await copyInto(client, `bench_scratch.${table}`, rows.get(table) as Buffer);
  await client.query('COMMIT');
  return (performance.now() - started) / 1000;
}

/**
 * Baseline 2: a hand-written set-based diff, as one would write it for this schema knowing the new snapshot:
 * COPY the snapshot into a staging table, insert what is new, update what differs, delete (or, for VMs,
 * archive) what is gone. The scratch tables hold the old snapshot. Returns seconds.
 */
export async function handWrittenDiff(client: PoolClient, newRows: Map<string, Buffer>): Promise<number> {
  const columns = new Map<string, string[]>();
  for (const table of DEMO_TABLES) {
    const result = await client.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [`public.${table}`]);
    columns.set(table, result.rows.map((r) => r.name));
  }
  const started = performance.now();
  await client.query('BEGIN');
  await client.query('SET CONSTRAINTS ALL DEFERRED');
  for (const table of DEMO_TABLES) {
    const stage = `stage_${table}`;
    await client.query(`CREATE TEMP TABLE ${stage} (LIKE public.${table}) ON COMMIT DROP`);
    await copyInto(client, stage, newRows.get(table) as Buffer);
    const data = (columns.get(table) as string[]).filter((c) => !['id', 'created_at', 'updated_at'].includes(c));
    await client.query(`INSERT INTO bench_scratch.${table} SELECT * FROM ${stage} s WHERE NOT EXISTS (SELECT 1 FROM bench_scratch.${table} t WHERE t.id = s.id)`);
    await client.query(`UPDATE bench_scratch.${table} t SET ${data.map((c) => `${c} = s.${c}`).join(', ')}, updated_at = now()
      FROM ${stage} s WHERE t.id = s.id AND (${data.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${data.map((c) => `s.${c}`).join(', ')})`);
  }
  for (const table of [...DEMO_TABLES].reverse()) {
    const gone = `NOT EXISTS (SELECT 1 FROM stage_${table} s WHERE s.id = t.id)`;
    await client.query(table === 'cloud_vms'
      ? `UPDATE bench_scratch.${table} t SET archived_at = now() WHERE archived_at IS NULL AND ${gone}`
      : `DELETE FROM bench_scratch.${table} t WHERE ${gone}`);
  }
  await client.query('COMMIT');
  return (performance.now() - started) / 1000;
}
