import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import { createDataSource } from '../../src/db/data-source';
import { createLogger, type Logger } from '../../src/logging/logger';

/**
 * The real services one test run uses: its own PostgreSQL database (created, migrated with the real migrations,
 * dropped at the end) and its own Redis key prefix, so runs never collide. Nothing here is a fake.
 */
export interface TestEnv {
  databaseUrl: string;
  dataSource: DataSource;
  redisUrl: string;
  redisPrefix: string;
  redis: Redis;
  encryptionKey: string;
  cipher: CredentialsCipher;
  logger: Logger;
}

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
const databaseName = `fleet_test_${runId}`;

let env: TestEnv | undefined;

export function testEnv(): TestEnv {
  if (!env) throw new Error('the test environment is not started (mocha root hooks missing?)');
  return env;
}

/** A database URL for the run's database (or another name on the same server). */
export function databaseUrlFor(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database of a test's own on the run's server, created empty (not migrated); `drop` removes it. */
export async function createScratchDatabase(prefix: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${runId}_${randomBytes(3).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  return {
    name, url: databaseUrlFor(name),
    drop: async () => { await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)); },
  };
}

export async function startTestEnv(): Promise<TestEnv> {
  await withAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE ${databaseName}`);
    // Date arithmetic in SQL (now() - interval '6 months') follows the session's time zone: the run's sessions,
    // the fleet processes' included, are in UTC whatever the server's default, as test/support/dates.ts assumes.
    await admin.query(`ALTER DATABASE ${databaseName} SET timezone TO 'UTC'`);
  });
  const databaseUrl = databaseUrlFor(databaseName);
  const dataSource = createDataSource({ databaseUrl, applicationName: 'provider-fleet-tests' });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.ping();
  const encryptionKey = CredentialsCipher.generateKey();
  env = {
    databaseUrl, dataSource, redisUrl, redisPrefix: `fleet-test-${runId}`, redis, encryptionKey,
    cipher: new CredentialsCipher(encryptionKey),
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', name: 'fleet-test' }),
  };
  return env;
}

export async function stopTestEnv(): Promise<void> {
  if (!env) return;
  const { dataSource, redis, redisPrefix } = env;
  env = undefined;
  const keys = await redis.keys(`${redisPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await dataSource.destroy();
  if (!process.env.TEST_KEEP_DATABASE) await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`));
}

async function withAdmin<T>(action: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}
