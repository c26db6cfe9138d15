import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/load-config';
import { createLogger, type Logger } from '../../src/logging/logger';
import type { AnyProviderType } from '../../src/providers/provider';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerTypes } from '../../src/providers/provider-types';
import { EventQueue } from '../../src/queues/event-queue';
import { MetricsQueue } from '../../src/queues/metrics-queue';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { buildApiApp } from '../../src/api/api-app';
import { ApiTokenStore } from '../../src/api/api-token-store';
import { testEnv } from './test-env';

/**
 * The HTTP API on the run's real PostgreSQL and Redis, called through fastify's inject (the whole request path:
 * routing, auth, schemas, handlers, serialization) with a token of its own. `logged()` is everything the API logged.
 */
export class ApiFixture {
  private constructor(
    readonly app: FastifyInstance,
    readonly token: string,
    readonly tokens: ApiTokenStore,
    readonly refreshQueue: RefreshQueue,
    private readonly logLines: string[],
    private readonly closeQueues: () => Promise<void>,
  ) {}

  /**
   * With `dataSource` and `redisPrefix`, the API works on a database of the test's own (a private PostgreSQL) and
   * keeps its queues apart from the run's, as provider ids start again at 1 in a new database. With `types`, the
   * API knows those provider types (test types beside the fleet's own).
   */
  static async start(
    options: { uiDirectory?: string; dataSource?: DataSource; redisPrefix?: string; types?: Readonly<Record<string, AnyProviderType>> } = {},
  ): Promise<ApiFixture> {
    const env = testEnv();
    const { dataSource = env.dataSource, redisPrefix = env.redisPrefix, types = providerTypes } = options;
    const logLines: string[] = [];
    const logger: Logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    const config = loadConfig({
      env: { DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: redisPrefix, FLEET_ENCRYPTION_KEY: env.encryptionKey },
    });
    const store = new ProviderStore({ dataSource, cipher: env.cipher, logger, types });
    // BullMQ opens (and closes) connections of its own from these options.
    const redisAddress = new URL(env.redisUrl);
    const connection = { host: redisAddress.hostname, port: Number(redisAddress.port || 6379) };
    const refreshQueue = new RefreshQueue({ redis: env.redis, connection, prefix: redisPrefix, store, fullThreshold: 100 });
    const eventQueue = new EventQueue({ redis: env.redis, connection, prefix: redisPrefix });
    const metricsQueue = new MetricsQueue(connection, redisPrefix);
    const tokens = new ApiTokenStore(dataSource);
    const app = await buildApiApp({
      config, logger, dataSource, redis: env.redis, store, refreshQueue, eventQueue, metricsQueue, tokens, types,
    }, options);
    const { token } = await tokens.create(`test-${Math.random().toString(36).slice(2)}`);
    return new ApiFixture(app, token, tokens, refreshQueue, logLines, async () => {
      await refreshQueue.close();
      await eventQueue.close();
      await metricsQueue.close();
    });
  }

  /** A request with the fixture's token (unless the options set their own headers). */
  request(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.app.inject({ ...options, headers: { authorization: `Bearer ${this.token}`, ...options.headers } });
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url });
  }

  post(url: string, payload?: unknown): Promise<LightMyRequestResponse> {
    return this.request({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });
  }

  logged(): string {
    return this.logLines.join('');
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.closeQueues();
  }
}
