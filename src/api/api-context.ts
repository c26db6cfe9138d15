import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { FleetConfig } from '../config/fleet-config';
import type { Logger } from '../logging/logger';
import type { AnyProviderType } from '../providers/provider';
import type { ProviderStore } from '../providers/provider-store';
import type { EventQueue } from '../queues/event-queue';
import type { MetricsQueue } from '../queues/metrics-queue';
import type { RefreshQueue } from '../queues/refresh-queue';
import type { ApiTokenStore } from './api-token-store';

/** What the HTTP API's routes work with: the fleet's stores and queues, shared by every request. */
export interface ApiContext {
  config: FleetConfig;
  logger: Logger;
  dataSource: DataSource;
  /**
   * The connection the queues below use. A server gives its API a fail-fast one (see failFastRedis), so that a
   * request needing Redis is answered 503 at once while Redis is away instead of waiting for it.
   */
  redis: Redis;
  store: ProviderStore;
  refreshQueue: RefreshQueue;
  eventQueue: EventQueue;
  metricsQueue: MetricsQueue;
  tokens: ApiTokenStore;
  types: Readonly<Record<string, AnyProviderType>>;
}
