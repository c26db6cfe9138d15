import type { ClientBase } from 'pg';
import { copyInto, dumpQuery, DEMO_TABLES } from './scratch-tables';

/**
 * The hand-written set-based SQL refresh this benchmark compares with: what a careful engineer would write for
 * this schema without our engine. Its input is the provider's snapshot as the provider gives it, objects naming
 * each other by provider reference (ems_ref), since no refresh knows the database ids of objects it has never
 * seen. Per table: COPY the snapshot into a staging table; insert the new rows, resolving references by joins;
 * then update every row whose columns differ (which also fills references to rows inserted later, such as a
 * cycle or a parent); finally delete (VMs: archive) what the snapshot no longer has.
 */
interface TableShape {
  table: string;
  /** Plain columns the refresh sets (for objects, starting with ems_ref). */
  data: string[];
  /** Foreign keys to other inventory objects, resolved from the referenced object's ems_ref. */
  refs: { column: string; target: string }[];
  /** Objects are keyed by ems_ref; join rows by their references. */
  keyedByRef: boolean;
  archive: boolean;
}

const SAVER_COLUMNS = ['id', 'provider_id', 'content_hash', 'created_at', 'updated_at', 'archived_at'];

export async function tableShapes(client: ClientBase): Promise<TableShape[]> {
  const shapes: TableShape[] = [];
  for (const table of DEMO_TABLES) {
    const columns = (await client.query<{ name: string }>(
      `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [`public.${table}`])).rows.map((r) => r.name);
    const refs = (await client.query<{ column: string; target: string }>(
      `SELECT a.attname AS column, c.confrelid::regclass::text AS target FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.conrelid = $1::regclass AND c.confrelid <> 'providers'::regclass ORDER BY a.attnum`, [`public.${table}`])).rows;
    const data = columns.filter((c) => !SAVER_COLUMNS.includes(c) && !refs.some((r) => r.column === c));
    shapes.push({ table, data, refs, keyedByRef: !columns.includes('ems_ref'), archive: columns.includes('archived_at') && table === 'cloud_vms' });
  }
  return shapes;
}

/** The provider's snapshot of each table, references as ems_refs, read from the current (new) inventory. */
export async function dumpSnapshot(client: ClientBase, shapes: TableShape[], providerId: string): Promise<Map<string, Buffer>> {
  const snapshot = new Map<string, Buffer>();
  for (const shape of shapes) {
    const select = [...shape.data.map((c) => `t.${c}`), ...shape.refs.map((_, i) => `r${i}.ems_ref`)].join(', ');
    const joins = shape.refs.map((r, i) => `LEFT JOIN public.${r.target} r${i} ON r${i}.id = t.${r.column}`).join(' ');
    const live = shape.archive ? ' AND t.archived_at IS NULL' : '';
    snapshot.set(shape.table, await dumpQuery(client, `SELECT ${select} FROM public.${shape.table} t ${joins} WHERE t.provider_id = ${Number(providerId)}${live} ORDER BY t.id`));
  }
  return snapshot;
}

/** Applies the snapshot to the scratch tables (which hold the old inventory). Returns seconds. */
export async function referenceDiff(client: ClientBase, shapes: TableShape[], snapshot: Map<string, Buffer>, providerId: string): Promise<number> {
  const p = Number(providerId);
  const resolved = (shape: TableShape): string => {
    const select = [...shape.data.map((c) => `s.${c}`), ...shape.refs.map((r, i) => `g${i}.id AS ${r.column}`)].join(', ');
    const joins = shape.refs.map((r, i) => `LEFT JOIN bench_scratch.${r.target} g${i} ON g${i}.provider_id = ${p} AND g${i}.ems_ref = s.ref_${i}`).join(' ');
    return `(SELECT ${select} FROM stage_${shape.table} s ${joins})`;
  };
  const matches = (shape: TableShape, x: string, r: string): string => shape.keyedByRef
    ? shape.refs.map((ref) => `${x}.${ref.column} = ${r}.${ref.column}`).join(' AND ')
    : `${x}.provider_id = ${p} AND ${x}.ems_ref = ${r}.ems_ref`;

  const started = performance.now();
  await client.query('BEGIN');
  await client.query('SET CONSTRAINTS ALL DEFERRED');
  for (const shape of shapes) {
    const stageColumns = [...shape.data, ...shape.refs.map((_, i) => `''::text AS ref_${i}`)].join(', ');
    await client.query(`CREATE TEMP TABLE stage_${shape.table} ON COMMIT DROP AS SELECT ${stageColumns} FROM public.${shape.table} WITH NO DATA`);
    await copyInto(client, `stage_${shape.table}`, snapshot.get(shape.table) as Buffer);
    const columns = [...shape.data, ...shape.refs.map((r) => r.column)];
    const complete = shape.keyedByRef ? ` AND ${shape.refs.map((r) => `r.${r.column} IS NOT NULL`).join(' AND ')}` : '';
    await client.query(`INSERT INTO bench_scratch.${shape.table} (provider_id, content_hash, ${columns.join(', ')})
      SELECT ${p}, '', ${columns.map((c) => `r.${c}`).join(', ')} FROM ${resolved(shape)} r
       WHERE NOT EXISTS (SELECT 1 FROM bench_scratch.${shape.table} x WHERE ${matches(shape, 'x', 'r')})${complete}`);
  }
  for (const shape of shapes) {
    if (shape.keyedByRef) continue; // a join row has nothing but its key
    const columns = [...shape.data, ...shape.refs.map((r) => r.column)].filter((c) => c !== 'ems_ref');
    const unarchive = shape.archive ? ', archived_at = NULL' : '';
    const archived = shape.archive ? ' OR x.archived_at IS NOT NULL' : '';
    await client.query(`UPDATE bench_scratch.${shape.table} x SET ${columns.map((c) => `${c} = r.${c}`).join(', ')}, updated_at = now()${unarchive}
      FROM ${resolved(shape)} r WHERE ${matches(shape, 'x', 'r')}
       AND ((${columns.map((c) => `x.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `r.${c}`).join(', ')})${archived})`);
  }
  for (const shape of [...shapes].reverse()) {
    const gone = `x.provider_id = ${p} AND NOT EXISTS (SELECT 1 FROM ${resolved(shape)} r WHERE ${matches(shape, 'x', 'r')})`;
    await client.query(shape.archive
      ? `UPDATE bench_scratch.${shape.table} x SET archived_at = now() WHERE x.archived_at IS NULL AND ${gone}`
      : `DELETE FROM bench_scratch.${shape.table} x WHERE ${gone}`);
  }
  await client.query('COMMIT');
  return (performance.now() - started) / 1000;
}
