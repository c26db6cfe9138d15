import type { DataSource } from 'typeorm';
import { ProviderApiError } from '../../errors';
import type { AnyProvider } from '../../providers/provider';
import type { MetricSeries, MetricTarget, ProviderMetricsSupport } from '../../core/metrics/provider-metrics';
import type { MetricsJobData, StoredSeries } from '../../queues/jobs';
import { ident } from '../../db/sql';
import type { MetricHierarchy, MetricLevel } from '../../core/metrics/metric-hierarchy';

/** A capture call asks for at most this long a stretch of time (a gap is filled chunk by chunk). */
export const CHUNK_SECONDS = 3600;
/** A capture call (and so a queue message) carries at most about this many samples. */
export const SAMPLES_PER_MESSAGE = 50_000;

export interface CaptureRoundOptions {
  dataSource: DataSource;
  providerId: string;
  provider: AnyProvider;
  support: ProviderMetricsSupport;
  hierarchy: MetricHierarchy;
  /** Queues one message of samples. */
  send(data: MetricsJobData): Promise<void>;
  /** An object is captured once its last capture is this old. */
  thresholdSeconds: number;
  /** The longest gap filled; what is older is given up. */
  gapLimitSeconds: number;
  now?: Date;
  signal?: AbortSignal;
}

export interface CaptureRoundStats {
  /** Objects whose last capture was older than the threshold. */
  targets: number;
  captureCalls: number;
  /** Queue messages sent. */
  messages: number;
  samples: number;
}

interface Target {
  id: string;
  emsRef: string;
  /** Seconds since the epoch of its last capture; null when it was never captured. */
  capturedUntil: number | null;
}

/**
 * One round of a provider's capture timer (ManageIQ's perf_capture_timer, without its per-object, per-day queue
 * messages): every object of a captured kind whose last capture is older than the threshold is captured from its
 * last capture (at most the gap limit back; first captures go back one threshold) to now. Objects that start from
 * the same time are captured together, in calls of at most an hour and as many objects as keep a call near
 * SAMPLES_PER_MESSAGE samples; each call's samples become one queue message, and only once it is queued do its
 * objects' last captures move on — so a round that fails or is stopped resumes where it was, and nothing captured
 * is lost (what is captured twice is stored once).
 */
export async function captureRound(options: CaptureRoundOptions): Promise<CaptureRoundStats> {
  const { support, hierarchy, thresholdSeconds, gapLimitSeconds } = options;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const end = nowSeconds - (nowSeconds % support.intervalSeconds);
  const stats: CaptureRoundStats = { targets: 0, captureCalls: 0, messages: 0, samples: 0 };
  for (const level of hierarchy.levels.filter((l) => l.captured)) {
    const due = await dueTargets(options, level, nowSeconds - thresholdSeconds);
    stats.targets += due.length;
    const groups = new Map<number, Target[]>();
    for (const target of due) {
      const from = Math.max(target.capturedUntil ?? end - thresholdSeconds, end - gapLimitSeconds);
      if (from >= end) continue;
      const group = groups.get(from) ?? [];
      group.push(target);
      groups.set(from, group);
    }
    for (const [from, targets] of groups) {
      const perTarget = Math.ceil(Math.min(CHUNK_SECONDS, end - from) / support.intervalSeconds);
      const batchSize = Math.max(1, Math.min(support.maxTargetsPerCapture, Math.floor(SAMPLES_PER_MESSAGE / perTarget)));
      for (let start = 0; start < targets.length; start += batchSize) {
        const batch = targets.slice(start, start + batchSize);
        for (let chunkFrom = from; chunkFrom < end; chunkFrom += CHUNK_SECONDS) {
          options.signal?.throwIfAborted();
          const chunkTo = Math.min(chunkFrom + CHUNK_SECONDS, end);
          const samples = await captureChunk(options, level, batch, chunkFrom, chunkTo);
          stats.captureCalls += 1;
          if (samples > 0) stats.messages += 1;
          stats.samples += samples;
        }
      }
    }
  }
  return stats;
}

/** The kind's live objects whose last capture is at or before `dueBefore` (seconds), or that were never captured. */
async function dueTargets(options: CaptureRoundOptions, level: MetricLevel, dueBefore: number): Promise<Target[]> {
  const rows: { id: string; ems_ref: string; captured_until: number | null }[] = await options.dataSource.query(
    `SELECT t.id::text AS id, t.ems_ref, extract(epoch FROM m.captured_until)::float8 AS captured_until
       FROM ${ident(level.table)} t
       LEFT JOIN metric_captures m ON m.resource_type = $2 AND m.resource_id = t.id
      WHERE t.provider_id = $1 AND t.archived_at IS NULL AND (m.captured_until IS NULL OR m.captured_until <= to_timestamp($3))
      ORDER BY t.id`,
    [options.providerId, level.table, dueBefore],
  );
  return rows.map((r) => ({ id: r.id, emsRef: r.ems_ref, capturedUntil: r.captured_until }));
}

/** Captures one chunk of time for a batch of objects, queues the samples, and records the capture. */
async function captureChunk(options: CaptureRoundOptions, level: MetricLevel, batch: Target[], from: number, to: number): Promise<number> {
  const { provider, support, providerId, signal } = options;
  const byRef = new Map(batch.map((target) => [target.emsRef, target]));
  const targets: MetricTarget[] = batch.map((target) => ({ collection: level.collection, emsRef: target.emsRef }));
  if (!provider.captureMetrics) throw new ProviderApiError('the provider has no metrics capture');
  const captured = await provider.captureMetrics(targets, { from: new Date(from * 1000), to: new Date(to * 1000) }, signal);
  const series: StoredSeries[] = [];
  const answered = new Set<string>();
  let samples = 0;
  for (const one of captured) {
    const target = one.target.collection === level.collection ? byRef.get(one.target.emsRef) : undefined;
    if (!target || answered.has(target.emsRef)) {
      throw new ProviderApiError(`the capture answered for ${one.target.collection} "${one.target.emsRef}", which was not asked for or answered twice`);
    }
    answered.add(target.emsRef);
    checkSeries(one, support, from, to);
    if (one.timestamps.length === 0) continue;
    const values = Object.fromEntries(support.counters.map((counter) => [counter, one.values[counter]]));
    series.push({ resourceType: level.table, resourceId: target.id, timestamps: one.timestamps, values });
    samples += one.timestamps.length;
  }
  if (series.length > 0) await options.send({ providerId, series });
  await options.dataSource.query(
    `INSERT INTO metric_captures (resource_type, resource_id, provider_id, captured_until)
       SELECT $1, id, $2, to_timestamp($3) FROM unnest($4::bigint[]) AS id
     ON CONFLICT (resource_type, resource_id) DO UPDATE SET captured_until = EXCLUDED.captured_until`,
    [level.table, providerId, to, batch.map((target) => target.id)],
  );
  return samples;
}

/** A provider's bad answer is refused whole, before anything of it is queued. */
function checkSeries(series: MetricSeries, support: ProviderMetricsSupport, from: number, to: number): void {
  const where = `${series.target.collection} "${series.target.emsRef}"`;
  let previous = from;
  for (const t of series.timestamps) {
    if (!Number.isInteger(t) || t <= previous || t > to || t % support.intervalSeconds !== 0) {
      throw new ProviderApiError(`the samples of ${where} have a timestamp out of order, off the ${support.intervalSeconds} s interval or outside the window: ${t}`);
    }
    previous = t;
  }
  for (const counter of support.counters) {
    const values = series.values[counter];
    if (!values || values.length !== series.timestamps.length || !values.every(Number.isFinite)) {
      throw new ProviderApiError(`the samples of ${where} lack values of ${counter} or have values that are not numbers`);
    }
  }
}
