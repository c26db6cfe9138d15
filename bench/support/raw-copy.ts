import type { ClientBase } from 'pg';
import { copyInto } from './scratch-tables';

/**
 * Baseline 1: the rows COPYed straight into the scratch tables, in one transaction, table by table in the map's
 * order (referenced tables first). Returns seconds.
 */
export async function rawCopy(client: ClientBase, rows: Map<string, Buffer>): Promise<number> {
  const started = performance.now();
  await client.query('BEGIN');
  await client.query('SET CONSTRAINTS ALL DEFERRED');
  for (const [table, tableRows] of rows) await copyInto(client, `bench_scratch.${table}`, tableRows);
  await client.query('COMMIT');
  return (performance.now() - started) / 1000;
}
