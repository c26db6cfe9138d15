import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import type { ClientBase } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/** The inventory tables a demo refresh fills, in the order our saver writes them (referenced tables first). */
export const DEMO_TABLES = [
  'cloud_availability_zones', 'cloud_flavors', 'cloud_images', 'cloud_security_groups', 'cloud_hosts', 'cloud_vms', 'cloud_volumes', 'cloud_vm_security_groups',
];

/** A query's rows as COPY text, held in memory as a baseline's input. */
export async function dumpQuery(client: ClientBase, query: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    client.query(copyTo(`COPY (${query}) TO STDOUT`)),
    new Writable({ write(chunk: Buffer, _encoding, done) { chunks.push(chunk); done(); } }),
  );
  return Buffer.concat(chunks);
}

/** A table's rows of one provider, every column, as COPY text. */
export function dumpRows(client: ClientBase, table: string, providerId: string): Promise<Buffer> {
  return dumpQuery(client, `SELECT * FROM public.${table} WHERE provider_id = ${Number(providerId)} ORDER BY id`);
}

export async function copyInto(client: ClientBase, target: string, rows: Buffer): Promise<void> {
  await pipeline(Readable.from([rows]), client.query(copyFrom(`COPY ${target} FROM STDIN`)));
}

/**
 * Creates schema `bench_scratch` with an empty copy of each of `tables`: same columns, defaults, indexes and the same
 * foreign keys (pointing at the scratch copies, deferrable like ours), so a baseline writes into exactly the
 * structure our refresh writes into.
 */
export async function createScratchTables(client: ClientBase, tables: readonly string[] = DEMO_TABLES): Promise<void> {
  await client.query('DROP SCHEMA IF EXISTS bench_scratch CASCADE');
  await client.query('CREATE SCHEMA bench_scratch');
  for (const table of tables) {
    await client.query(`CREATE TABLE bench_scratch.${table} (LIKE public.${table} INCLUDING ALL)`);
  }
  const constraints = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1)`, [tables]);
  await client.query('SET search_path = bench_scratch, public');
  for (const { table, name, definition } of constraints.rows) {
    await client.query(`ALTER TABLE bench_scratch.${table} ADD CONSTRAINT ${name} ${definition}`);
  }
  await client.query('SET search_path = public');
}

export async function truncateScratch(client: ClientBase, tables: readonly string[] = DEMO_TABLES): Promise<void> {
  await client.query(`TRUNCATE ${tables.map((t) => `bench_scratch.${t}`).join(', ')}`);
}
