import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import type { Cleanups } from './cleanups';

/** A database of the benchmark's own on the PostgreSQL server of BENCH_DATABASE_ADMIN_URL, dropped by `drop()`. */
export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  return {
    url: Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString(),
    drop: () => admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A migrated bench database with an initialized data source on it; `cleanups` closes the data source and drops the
 * database.
 */
export async function startMigratedBenchDatabase(cleanups: Cleanups, name: string): Promise<{ url: string; dataSource: DataSource }> {
  const database = await createBenchDatabase(name);
  cleanups.add(() => database.drop());
  const dataSource = createDataSource({ databaseUrl: database.url });
  await dataSource.initialize();
  cleanups.add(() => dataSource.destroy());
  await dataSource.runMigrations();
  return { url: database.url, dataSource };
}
