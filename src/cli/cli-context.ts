import { Redis } from 'ioredis';
import type { DataSource, Migration } from 'typeorm';
import { loadConfig, type ConfigInputs } from '../config/load-config';
import type { FleetConfig } from '../config/fleet-config';
import { CredentialsCipher } from '../crypto/credentials-cipher';
import { createDataSource } from '../db/data-source';
import { migrateDatabase } from '../db/migrate';
import { createLogger, type Logger } from '../logging/logger';
import type { AnyProviderType } from '../providers/provider';
import { ProviderStore } from '../providers/provider-store';
import { tablesOfTypes } from '../providers/provider-type-tables';
import { withProviderTypeModules } from '../providers/provider-type-modules';
import { EventQueue } from '../queues/event-queue';
import { MetricsQueue } from '../queues/metrics-queue';
import { RefreshQueue } from '../queues/refresh-queue';
import type { WorkerContext } from '../workers/worker-context';

/**
 * What CLI commands share, created on first use: commands that need no database (demo-cloud, key generate) never
 * read the configuration or connect.
 */
export class CliContext implements WorkerContext {
  private configValue: FleetConfig | undefined;
  private loggerValue: Logger | undefined;
  private typesValue: Readonly<Record<string, AnyProviderType>> | undefined;
  private dataSourceValue: DataSource | undefined;
  private storeValue: ProviderStore | undefined;
  private redisValue: Redis | undefined;
  private queueValue: RefreshQueue | undefined;
  private eventQueueValue: EventQueue | undefined;
  private metricsQueueValue: MetricsQueue | undefined;

  constructor(private readonly inputs: () => ConfigInputs) {}

  get config(): FleetConfig {
    return (this.configValue ??= loadConfig(this.inputs()));
  }

  get logger(): Logger {
    // CLI output goes to stdout; logs go to stderr so they never mix into tables and JSON.
    return (this.loggerValue ??= createLogger({
      level: this.config.logLevel, destination: process.stderr,
      pretty: this.config.logFormat === 'pretty' || (this.config.logFormat === 'auto' && process.stderr.isTTY),
    }));
  }

  /** The provider types: the shipped ones and those of the configured provider type modules. */
  get types(): Readonly<Record<string, AnyProviderType>> {
    return (this.typesValue ??= withProviderTypeModules(this.config.providerTypeModules));
  }

  /** The database, with the tables of every provider type that brings its own. */
  async dataSource(): Promise<DataSource> {
    if (!this.dataSourceValue) {
      const dataSource = createDataSource({
        databaseUrl: this.config.databaseUrl, applicationName: 'provider-fleet-cli', typeEntities: tablesOfTypes(this.types).entities,
      });
      await dataSource.initialize();
      this.dataSourceValue = dataSource;
    }
    return this.dataSourceValue;
  }

  async store(): Promise<ProviderStore> {
    this.storeValue ??= new ProviderStore({
      dataSource: await this.dataSource(), cipher: new CredentialsCipher(this.config.encryptionKey), logger: this.logger,
      types: this.types,
    });
    return this.storeValue;
  }

  /** Applies pending migrations, the fleet's and then the provider types', and returns them in order. */
  async migrate(): Promise<Migration[]> {
    return migrateDatabase(await this.dataSource(), tablesOfTypes(this.types).migrations);
  }

  /** The providers' refresh queues, on one Redis connection of the command's own. */
  async refreshQueue(): Promise<RefreshQueue> {
    if (!this.queueValue) {
      const { config } = this;
      const redis = this.redis();
      this.queueValue = new RefreshQueue({ redis, connection: redis, prefix: config.redisPrefix, store: await this.store(), fullThreshold: config.refreshFullThreshold });
    }
    return this.queueValue;
  }

  /** The events queue, on the same connection. */
  eventQueue(): EventQueue {
    const redis = this.redis();
    return (this.eventQueueValue ??= new EventQueue({ redis, connection: redis, prefix: this.config.redisPrefix }));
  }

  /** The metrics queue, on the same connection. */
  metricsQueue(): MetricsQueue {
    return (this.metricsQueueValue ??= new MetricsQueue(this.redis(), this.config.redisPrefix));
  }

  /** The command's Redis connection (shared by its queues). */
  redis(): Redis {
    return (this.redisValue ??= new Redis(this.config.redisUrl, { maxRetriesPerRequest: null }));
  }

  /** Releases connections; safe to call more than once. */
  async close(): Promise<void> {
    const { dataSourceValue: dataSource, queueValue: queue, eventQueueValue: eventQueue, metricsQueueValue: metricsQueue, redisValue: redis } = this;
    this.dataSourceValue = undefined;
    this.queueValue = undefined;
    this.eventQueueValue = undefined;
    this.metricsQueueValue = undefined;
    this.redisValue = undefined;
    await queue?.close();
    await eventQueue?.close();
    await metricsQueue?.close();
    redis?.disconnect();
    if (dataSource?.isInitialized) await dataSource.destroy();
  }
}
