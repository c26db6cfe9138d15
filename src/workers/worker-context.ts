import type { DataSource } from 'typeorm';
import type { FleetConfig } from '../config/fleet-config';
import type { ProviderStore } from '../providers/provider-store';
import type { EventQueue } from '../queues/event-queue';
import type { MetricsQueue } from '../queues/metrics-queue';
import type { RefreshQueue } from '../queues/refresh-queue';

/**
 * What a worker process hands its role when it starts: the configuration and the connections, made on first use
 * (the process's CLI context is one).
 */
export interface WorkerContext {
  readonly config: FleetConfig;
  dataSource(): Promise<DataSource>;
  store(): Promise<ProviderStore>;
  refreshQueue(): Promise<RefreshQueue>;
  eventQueue(): EventQueue;
  metricsQueue(): MetricsQueue;
}
