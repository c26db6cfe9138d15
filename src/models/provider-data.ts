import type { EventPosition } from '../core/events/provider-events';

/** A failure a worker keeps on its provider until it next succeeds: what failed, and when. */
export interface RecordedError {
  message: string;
  /** ISO 8601 time of the failure. */
  at: string;
}

/** Why a provider's worker of a role keeps crashing, and how long the supervisor waits before starting the next one. */
export interface WorkerCrashes {
  /** Crashes in a row. */
  crashes: number;
  /** How the last one ended. */
  reason: string | null;
  backoffMs: number;
}

/**
 * Every key of a provider's `provider_data`: the state the fleet's workers keep for it. A key is absent while it
 * has nothing to say (no position kept yet, no failure since the last success).
 */
export interface ProviderData {
  /** Where the event catcher resumes the provider's event stream. */
  eventPosition?: EventPosition;
  /** The event stream's last failure (or the catcher's failure to build or set up the provider). */
  eventStreamError?: RecordedError;
  /** The metrics collector's last failed capture round. */
  metricsCaptureError?: RecordedError;
  /** Crash streaks of the provider's workers, by role. */
  workerCrashes?: WorkerCrashes;
  eventCatcherCrashes?: WorkerCrashes;
  metricsCollectorCrashes?: WorkerCrashes;
}

/** The name of one key of a provider's data. */
export type ProviderDataKey = keyof ProviderData;
