import type { ClientBase } from 'pg';
import { copyInto, DEMO_TABLES } from './scratch-tables';

/** Baseline 1: the rows COPYed straight into the scratch tables, in one transaction. Returns seconds. */
export async function rawCopy(client: ClientBase, rows: Map<string, Buffer>): Promise<number> {
  const started = performance.now();
  await client.query('BEGIN');
  await client.query('SET CONSTRAINTS ALL DEFERRED');
  for (const table of DEMO_TABLES) await copyInto(client, `bench_scratch.${table}`, rows.get(table) as Buffer);
  await client.query('COMMIT');
  return (performance.now() - started) / 1000;
}
