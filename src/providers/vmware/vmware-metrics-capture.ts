import { ValidationError, type MetricCounter, type MetricSeries, type MetricTarget, type MetricWindow } from '../sdk';
import type { VimClient } from './vim-client';
import { existingObjects, isGone } from './vim-existing';
import type { PerfEntityMetric, PerfQuerySpec } from './vim-perf';
import type { ManagedObjectReference } from './vim-values';
import { isVmwareMetricCollection, metricEntityTypeOf, REALTIME_INTERVAL_SECONDS, vmwareMetrics, type VmwareMetricCollection } from './vmware-metrics';
import type { CounterId } from './vmware-perf-counters';

/**
 * Entities per QueryPerf call. vCenter caps the metrics of one query of historical data (vpxd.stats.maxQueryMetrics,
 * 64 by default); realtime queries are served from the hosts and not capped, but a call of a few hundred series
 * still keeps each answer small and each call well within its deadline.
 */
export const ENTITIES_PER_QUERY = 64;

/** A target as QueryPerf names it. */
interface Entity {
  readonly target: MetricTarget;
  readonly ref: ManagedObjectReference;
}

/** Throws a ValidationError for targets a capture cannot take: too many, or of a kind without metrics. */
export function checkVmwareMetricTargets(targets: readonly MetricTarget[]): void {
  if (targets.length > vmwareMetrics.maxTargetsPerCapture) {
    throw new ValidationError(`at most ${vmwareMetrics.maxTargetsPerCapture} targets per capture, not ${targets.length}`);
  }
  for (const { collection } of targets) {
    if (!isVmwareMetricCollection(collection)) throw new ValidationError(`the vmware type has no metrics of ${collection}`);
  }
}

/**
 * Captures the targets' realtime samples in the window: QueryPerf (intervalId 20) of the fleet's four counters,
 * for the entity as a whole (instance ''), many entities a call. The targets vCenter no longer has are left out
 * first, as vCenter refuses a whole QueryPerf for one entity that is gone; one that goes between that check and the
 * query is found by a second check. A target that is gone, or has no sample in the window, gets no series.
 */
export async function captureVmwareMetrics(
  client: VimClient, counterIds: readonly CounterId[], targets: readonly MetricTarget[], window: MetricWindow, signal?: AbortSignal,
): Promise<MetricSeries[]> {
  checkVmwareMetricTargets(targets);
  const step = REALTIME_INTERVAL_SECONDS;
  // The sample times of the window (from, to]: the first after `from`, the last at or before `to`.
  const first = Math.floor(window.from.getTime() / 1000 / step) * step + step;
  const last = Math.floor(window.to.getTime() / 1000 / step) * step;
  if (targets.length === 0 || first > last) return [];

  const entities = await existing(client, uniqueEntities(targets), signal);
  const captured: MetricSeries[] = [];
  for (let start = 0; start < entities.length; start += ENTITIES_PER_QUERY) {
    const batch = entities.slice(start, start + ENTITIES_PER_QUERY);
    const spec = (entity: Entity): PerfQuerySpec => ({
      entity: entity.ref, metricIds: counterIds.map(({ key }) => ({ counterId: key, instance: '' })), intervalId: step,
      // Samples after startTime, up to endTime; maxSample is as many as the window holds (realtime queries take it).
      startTime: new Date((first - step) * 1000).toISOString(), endTime: new Date(last * 1000).toISOString(), maxSample: (last - first) / step + 1,
    });
    let answered: readonly PerfEntityMetric[];
    let asked = batch;
    try {
      answered = await client.queryPerf(asked.map(spec), { signal });
    } catch (error: unknown) {
      if (!isGone(error)) throw error;
      asked = await existing(client, batch, signal);
      answered = asked.length === 0 ? [] : await client.queryPerf(asked.map(spec), { signal });
    }
    const byRef = new Map(asked.map((entity) => [refKey(entity.ref), entity]));
    for (const metric of answered) {
      const entity = byRef.get(refKey(metric.entity));
      if (entity === undefined) continue;
      byRef.delete(refKey(metric.entity));
      const series = toSeries(entity.target, metric, counterIds, first, last);
      if (series !== undefined) captured.push(series);
    }
  }
  return captured;
}

/**
 * One entity's samples as the fleet stores them: in time order, within [first, last] and on the 20 s grid, at the
 * times every counter has a value (vCenter writes -1 where it has none), divided into the fleet's units.
 */
function toSeries(target: MetricTarget, metric: PerfEntityMetric, counterIds: readonly CounterId[], first: number, last: number): MetricSeries | undefined {
  const valuesOf = counterIds.map((id) => ({
    ...id, values: metric.series.find((series) => series.id.counterId === id.key && series.id.instance === '')?.values ?? [],
  }));
  const points = new Map<number, Partial<Record<MetricCounter, number>>>();
  metric.samples.forEach((sample, i) => {
    const t = Date.parse(sample.timestamp) / 1000;
    if (!Number.isInteger(t) || t < first || t > last || t % REALTIME_INTERVAL_SECONDS !== 0) return;
    const values: Partial<Record<MetricCounter, number>> = {};
    for (const { counter, divisor, values: raw } of valuesOf) {
      const value = raw[i];
      if (value === undefined || !Number.isFinite(value) || value < 0) return;
      values[counter] = value / divisor;
    }
    points.set(t, values);
  });
  if (points.size === 0) return undefined;
  const timestamps = [...points.keys()].sort((a, b) => a - b);
  const values: Partial<Record<MetricCounter, number[]>> = {};
  for (const { counter } of counterIds) values[counter] = timestamps.map((t) => points.get(t)?.[counter] as number);
  return { target: { collection: target.collection, emsRef: target.emsRef }, timestamps, values };
}

/** The targets as entities, each once. */
function uniqueEntities(targets: readonly MetricTarget[]): Entity[] {
  const entities = new Map<string, Entity>();
  for (const target of targets) {
    const ref = { type: metricEntityTypeOf[target.collection as VmwareMetricCollection], value: target.emsRef };
    entities.set(refKey(ref), { target, ref });
  }
  return [...entities.values()];
}

/** The entities vCenter still has, asked type by type. */
async function existing(client: VimClient, entities: readonly Entity[], signal?: AbortSignal): Promise<Entity[]> {
  const kept: Entity[] = [];
  for (const type of new Set(entities.map((entity) => entity.ref.type))) {
    const ofType = entities.filter((entity) => entity.ref.type === type);
    const found = await existingObjects(client, type, ofType.map((entity) => entity.ref.value), { signal });
    kept.push(...ofType.filter((entity) => found.has(entity.ref.value)));
  }
  return kept;
}

function refKey(ref: ManagedObjectReference): string {
  return `${ref.type}:${ref.value}`;
}
