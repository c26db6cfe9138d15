import type { DataSource } from 'typeorm';
import { loadConfig, type ConfigInputs } from '../config/load-config';
import type { FleetConfig } from '../config/fleet-config';
import { CredentialsCipher } from '../crypto/credentials-cipher';
import { createDataSource } from '../db/data-source';
import { createLogger, type Logger } from '../logging/logger';
import { ProviderStore } from '../providers/provider-store';

/**
 * What CLI commands share, created on first use: commands that need no database (demo-cloud, key generate) never
 * read the configuration or connect.
 */
export class CliContext {
  private configValue: FleetConfig | undefined;
  private loggerValue: Logger | undefined;
  private dataSourceValue: DataSource | undefined;

  constructor(private readonly inputs: () => ConfigInputs) {}

  get config(): FleetConfig {
    return (this.configValue ??= loadConfig(this.inputs()));
  }

  get logger(): Logger {
    // CLI output goes to stdout; logs go to stderr so they never mix into tables and JSON.
    return (this.loggerValue ??= createLogger({ level: this.config.logLevel, destination: process.stderr }));
  }

  async dataSource(): Promise<DataSource> {
    if (!this.dataSourceValue) {
      const dataSource = createDataSource({ databaseUrl: this.config.databaseUrl, applicationName: 'provider-fleet-cli' });
      await dataSource.initialize();
      this.dataSourceValue = dataSource;
    }
    return this.dataSourceValue;
  }

  async store(): Promise<ProviderStore> {
    return new ProviderStore({ dataSource: await this.dataSource(), cipher: new CredentialsCipher(this.config.encryptionKey), logger: this.logger });
  }

  /** Releases connections; safe to call more than once. */
  async close(): Promise<void> {
    const dataSource = this.dataSourceValue;
    this.dataSourceValue = undefined;
    if (dataSource?.isInitialized) await dataSource.destroy();
  }
}
