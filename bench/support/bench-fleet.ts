import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import { createLogger } from '../../src/logging/logger';
import { ProviderStore } from '../../src/providers/provider-store';
import { startMigratedBenchDatabase } from './bench-database';
import type { Cleanups } from './cleanups';
import { startDemoCloudProcess, type DemoCloudProcess } from './demo-cloud-process';
import { spawnFleet, type FleetProcess, type FleetSettings } from './fleet-process';
import { killLeftWorkers } from './left-workers';
import { deleteKeys } from './redis-keys';

/** The server's default heartbeat timeout: how long it gives its workers to stop. */
const HEARTBEAT_TIMEOUT_SECONDS = 30;

export const DEMO_REGION = 'us-east-1';
export const DEMO_CREDENTIALS = { accessKey: 'demo-access', secretKey: 'demo-secret' };

export interface BenchFleet {
  dataSource: DataSource;
  store: ProviderStore;
  providerId: string;
  cloud: DemoCloudProcess;
  /** A Redis connection of the benchmark's own, for measuring (it never queues behind the fleet's commands). */
  redis: Redis;
  settings: FleetSettings;
  /** The `fleet server` process (stopped by the cleanups, or earlier by the benchmark). */
  server: FleetProcess;
}

/**
 * What a benchmark of the running fleet stands on: a database (migrated) and Redis prefix of its own, a demo cloud
 * process with `vms` VMs, one demo provider for it, and a real `fleet server` configured through its environment
 * only, as an operator runs it. Everything is undone by `cleanups`, the server's workers included.
 */
export async function startBenchFleet(
  cleanups: Cleanups,
  options: { name: string; vms: number; serverEnv?: NodeJS.ProcessEnv },
): Promise<BenchFleet> {
  const { url: databaseUrl, dataSource } = await startMigratedBenchDatabase(cleanups, `fleet_bench_${options.name}_${process.pid}`);
  const settings: FleetSettings = {
    databaseUrl, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: `fleet-bench-${options.name}-${process.pid}`, encryptionKey: CredentialsCipher.generateKey(),
  };
  const cloud = await startDemoCloudProcess({ vms: options.vms, seed: 42 });
  cleanups.add(() => cloud.stop());
  const redis = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
  cleanups.add(() => redis.disconnect());
  cleanups.add(() => deleteKeys(redis, [`${settings.redisPrefix}:*`]));
  const store = new ProviderStore({ dataSource, cipher: new CredentialsCipher(settings.encryptionKey), logger: createLogger({ level: 'warn' }) });
  const provider = await store.create({ type: 'demo', name: options.name, region: DEMO_REGION, config: { endpoint: cloud.url }, credentials: DEMO_CREDENTIALS });
  const server = spawnFleet(['server'], { ...settings, env: options.serverEnv });
  cleanups.add(() => killLeftWorkers(dataSource));
  // The server stops its workers on SIGTERM, giving them up to its heartbeat timeout.
  cleanups.add(() => server.stop('SIGTERM', (HEARTBEAT_TIMEOUT_SECONDS + 10) * 1000));
  return { dataSource, store, providerId: provider.id, cloud, redis, settings, server };
}
