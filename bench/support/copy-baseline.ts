import type { ClientBase } from 'pg';
import type { DataSource } from 'typeorm';
import { rawCopy } from './raw-copy';
import { createScratchTables, dumpRows } from './scratch-tables';

/**
 * The rows a refresh stored for a provider, COPYed into empty tables of the same shape in one transaction: a full
 * refresh's floor for writing them. `tables` come referenced tables first, as a COPY must fill them.
 */
export async function copyBaseline(dataSource: DataSource, providerId: string, tables: readonly string[]): Promise<{ seconds: number; rows: number }> {
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as ClientBase;
    await createScratchTables(client, [...tables]);
    const rows = new Map<string, Buffer>();
    for (const table of tables) rows.set(table, await dumpRows(client, table, providerId));
    const count = [...rows.values()].reduce((n, text) => n + text.toString().split('\n').length - 1, 0);
    const seconds = await rawCopy(client, rows);
    await client.query('DROP SCHEMA bench_scratch CASCADE');
    return { seconds, rows: count };
  } finally {
    await runner.release();
  }
}
