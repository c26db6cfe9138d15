import type { RefreshSource } from '../models';
import type { MetricCounter } from '../core/metrics/provider-metrics';
import type { RefreshOutcome } from '../core/refresh/refresh-outcome';
import type { RefreshTarget } from '../core/refresh/refresh-scope';

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

/** Asks the provider's worker to run a task (see OperationsQueue); the task's row says what. */
export interface OperationJobData {
  taskId: string;
}

/** How a task ended, or that it had been cancelled (or run) before its job came. */
export interface OperationJobResult {
  state: string;
}

/** Tells the event handlers that a provider has event batches waiting (see EventQueue). */
export interface EventsJobData {
  providerId: string;
}

/** What an event handler made of a provider's waiting batches. */
export interface EventsJobResult {
  /** Batches handled. */
  handled: number;
}

/** What a metrics processor made of a provider's captured samples. */
export interface MetricsJobResult {
  /** Samples written (new or changed) or confirmed (already stored with the same values). */
  stored: number;
  /** Samples older than realtime retention: their hour may be gone already, so they are not taken. */
  tooOld: number;
}

/**
 * Every job the fleet's queues carry, by job name: what it carries and what its handler returns. A consumer
 * (startQueueConsumer) names the jobs it handles and takes its handler's types from here, so the handler of a job
 * name gets exactly its data type and returns exactly its result.
 */
export interface FleetJobs {
  refresh: { data: RefreshJobData; result: RefreshJobResult };
  operation: { data: OperationJobData; result: OperationJobResult };
  events: { data: EventsJobData; result: EventsJobResult };
  metrics: { data: MetricsJobData; result: MetricsJobResult };
}

export type FleetJobName = keyof FleetJobs;

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
  targets: RefreshTarget[];
  source: RefreshSource;
}
