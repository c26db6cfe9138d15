import type { RefreshSource } from '../models';
import type { MetricCounter } from '../core/metrics/provider-metrics';
import type { RefreshOutcome } from '../core/refresh/refresh-outcome';

/** Asks the provider's refresh worker to refresh what the provider's pending requests name (see RefreshQueue). */
export interface RefreshJobData {
  providerId: string;
  /** The generation of pending requests this job stands for. */
  generation: number;
}

/** What a refresh job ends with: the outcome of its refresh, or null when it had nothing left to refresh. */
export interface RefreshJobResult {
  outcome: RefreshOutcome | null;
}

/** Tells the event handlers that a provider has event batches waiting (see EventQueue). */
export interface EventsJobData {
  providerId: string;
}

/**
 * Every job the fleet's queues carry, as one union shared by producers and consumers: the handler of a job name
 * gets exactly its data type.
 */
export type FleetJob = { name: 'refresh'; data: RefreshJobData } | { name: 'events'; data: EventsJobData } | { name: 'metrics'; data: MetricsJobData };

/** One object's captured samples, ready to store: columnar, as captured (see MetricSeries). */
export interface StoredSeries {
  /** The object's inventory table and row id. */
  resourceType: string;
  resourceId: string;
  /** Seconds since the epoch. */
  timestamps: number[];
  values: Partial<Record<MetricCounter, number[]>>;
}

/** A provider's captured samples for the metrics processors. */
export interface MetricsJobData {
  providerId: string;
  series: StoredSeries[];
}

/** A refresh request as producers make it. */
export interface RefreshRequestMessage {
  /** Objects to refresh; empty (or the provider itself) means a full refresh. */
  targets: { collection: string; ref: string }[];
  source: RefreshSource;
}
