import { ProviderApiError, ValidationError, type MetricCounter, type MetricSeries, type MetricTarget, type MetricWindow } from '../sdk';
import type { DemoApiClient } from './demo-api-client';
import { demoMetrics, isDemoMetricCollection, type DemoMetricCollection } from './demo-metrics';
import type { DemoNativeMetricSeries } from './demo-native';

/** The longest window the cloud serves in one request; a longer one is asked for in parts. */
const MAX_WINDOW_MS = 24 * 3600_000;

/**
 * Captures the targets' samples: one request per collection among them (and per 24 hours of a longer window).
 * Objects the cloud no longer has, and objects without a sample in the window, get no series.
 */
export async function captureDemoMetrics(
  client: DemoApiClient,
  targets: readonly MetricTarget[],
  window: MetricWindow,
  signal?: AbortSignal,
): Promise<MetricSeries[]> {
  if (targets.length > demoMetrics.maxTargetsPerCapture) {
    throw new ValidationError(`at most ${demoMetrics.maxTargetsPerCapture} targets per capture, not ${targets.length}`);
  }
  const idsByCollection = new Map<DemoMetricCollection, Set<string>>();
  for (const { collection, emsRef } of targets) {
    if (!isDemoMetricCollection(collection)) throw new ValidationError(`the demo type has no metrics of ${collection}`);
    let ids = idsByCollection.get(collection);
    if (!ids) idsByCollection.set(collection, (ids = new Set()));
    ids.add(emsRef);
  }

  const captured: MetricSeries[] = [];
  for (const [collection, ids] of idsByCollection) {
    const byRef = new Map<string, MetricSeries>();
    for (let from = window.from.getTime(); from < window.to.getTime(); from += MAX_WINDOW_MS) {
      const part = { from: new Date(from), to: new Date(Math.min(from + MAX_WINDOW_MS, window.to.getTime())) };
      const answer = await client.metrics(collection, [...ids], part, signal);
      if (answer.interval_seconds !== demoMetrics.intervalSeconds) {
        throw new ProviderApiError(`the cloud samples every ${answer.interval_seconds} s, not every ${demoMetrics.intervalSeconds} s`);
      }
      for (const native of answer.series) {
        if (native.timestamps.length === 0) continue;
        const series = toMetricSeries(collection, native);
        const earlier = byRef.get(series.target.emsRef);
        if (earlier) append(earlier, series);
        else byRef.set(series.target.emsRef, series);
      }
    }
    captured.push(...byRef.values());
  }
  return captured;
}

/** The fleet's series of a native one, which must have every counter the type declares. */
function toMetricSeries(collection: DemoMetricCollection, native: DemoNativeMetricSeries): MetricSeries {
  const values: Partial<Record<MetricCounter, number[]>> = {};
  for (const counter of demoMetrics.counters) {
    const counterValues = native.values[counter];
    if (counterValues === undefined) throw new ProviderApiError(`the metrics of ${native.id} have no ${counter}`);
    values[counter] = counterValues;
  }
  return { target: { collection, emsRef: native.id }, timestamps: native.timestamps, values };
}

/** Appends a later part of a window to an object's series. */
function append(into: MetricSeries, later: MetricSeries): void {
  into.timestamps.push(...later.timestamps);
  for (const counter of demoMetrics.counters) into.values[counter]?.push(...(later.values[counter] ?? []));
}
