import type { RefreshSource } from '../models';

/** Asks the provider's refresh worker to refresh what the provider's pending requests name (see RefreshQueue). */
export interface RefreshJobData {
  providerId: string;
  /** The generation of pending requests this job stands for. */
  generation: number;
}

/**
 * Every job the fleet's queues carry, as one union shared by producers and consumers: the handler of a job name
 * gets exactly its data type.
 */
export type FleetJob = { name: 'refresh'; data: RefreshJobData };

/** A refresh request as producers make it. */
export interface RefreshRequestMessage {
  /** Objects to refresh; empty (or the provider itself) means a full refresh. */
  targets: { collection: string; ref: string }[];
  source: RefreshSource;
}
