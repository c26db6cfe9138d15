import type { DataSource, EntityManager } from 'typeorm';
import type { FleetConfig } from '../../config/fleet-config';
import { literal } from '../../db/sql';

export type RollupInterval = 'hourly' | 'daily';
export const ROLLUP_INTERVALS: readonly RollupInterval[] = ['hourly', 'daily'];

/** How long each kind of metrics row is kept. */
export interface MetricRetention {
  realtimeHours: number;
  hourlyMonths: number;
  dailyMonths: number;
}

/** The retention settings of a fleet configuration. */
export function metricRetention(config: FleetConfig): MetricRetention {
  return {
    realtimeHours: config.metricsRealtimeRetentionHours, hourlyMonths: config.metricsHourlyRetentionMonths, dailyMonths: config.metricsDailyRetentionMonths,
  };
}

const HOUR_MS = 3_600_000;
/** Realtime partitions made ahead of now, so samples arriving on the hour never wait for one. */
const HOURS_AHEAD = 2;
/** One lock serializes partition DDL across processors (creating one concurrently is not safe even with IF NOT EXISTS). */
const PARTITION_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('provider-fleet:metric-partitions', 0))`;

const REALTIME_NAME = /^metrics_(\d{4})(\d{2})(\d{2})(\d{2})$/;
const ROLLUP_NAME = /^metric_rollups_(hourly|daily)_(\d{4})(\d{2})$/;

export function hourStart(time: Date): Date {
  return new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);
}

export function monthStart(time: Date): Date {
  return new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), 1));
}

function addMonths(month: Date, months: number): Date {
  return new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + months, 1));
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The realtime partition holding the hour starting at `hour` (UTC), named after it. */
function realtimePartition(hour: Date): string {
  return `metrics_${hour.getUTCFullYear()}${pad(hour.getUTCMonth() + 1)}${pad(hour.getUTCDate())}${pad(hour.getUTCHours())}`;
}

/** The rollup partition of an interval's month. */
function rollupPartition(interval: RollupInterval, month: Date): string {
  return `metric_rollups_${interval}_${month.getUTCFullYear()}${pad(month.getUTCMonth() + 1)}`;
}

/**
 * The oldest hour whose realtime samples are still kept: a partition is dropped once all of it is older than the
 * retention, so a sample is accepted only into an hour at or after this one (an hour's rollup is computed from all
 * of its samples, which must all still be there).
 */
export function oldestKeptHour(retention: MetricRetention, now: Date): Date {
  return hourStart(new Date(now.getTime() - retention.realtimeHours * HOUR_MS));
}

/** The oldest month of an interval's rollups still kept. */
export function oldestKeptMonth(interval: RollupInterval, retention: MetricRetention, now: Date): Date {
  return addMonths(monthStart(now), -(interval === 'hourly' ? retention.hourlyMonths : retention.dailyMonths));
}

/** Partitions of the metrics tables that exist, by name. */
async function existingPartitions(db: DataSource | EntityManager): Promise<Set<string>> {
  const rows: { name: string }[] = await db.query(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent IN ('metrics'::regclass, 'metric_rollups'::regclass)`,
  );
  return new Set(rows.map((r) => r.name));
}

/** What partitions a set of samples needs: their hours, and the months of their hours' and days' rollups. */
export interface NeededPartitions {
  hours: Date[];
  months: Date[];
}

/** Creates the partitions that do not exist yet, under the partition lock. Returns the names created. */
export async function createPartitions(dataSource: DataSource, needed: NeededPartitions): Promise<string[]> {
  return dataSource.transaction(async (manager) => {
    await manager.query(PARTITION_LOCK_SQL);
    const existing = await existingPartitions(manager);
    const created: string[] = [];
    for (const hour of needed.hours) {
      const name = realtimePartition(hour);
      if (existing.has(name)) continue;
      const end = new Date(hour.getTime() + HOUR_MS);
      await manager.query(`CREATE TABLE ${name} PARTITION OF metrics FOR VALUES FROM (${literal(hour.toISOString())}) TO (${literal(end.toISOString())})`);
      existing.add(name);
      created.push(name);
    }
    for (const month of needed.months) {
      for (const interval of ROLLUP_INTERVALS) {
        const name = rollupPartition(interval, month);
        if (existing.has(name)) continue;
        const from = `(${literal(interval)}, ${literal(month.toISOString())})`;
        const to = `(${literal(interval)}, ${literal(addMonths(month, 1).toISOString())})`;
        await manager.query(`CREATE TABLE ${name} PARTITION OF metric_rollups FOR VALUES FROM ${from} TO ${to}`);
        existing.add(name);
        created.push(name);
      }
    }
    return created;
  });
}

/**
 * Keeps the partitions in shape: creates those of the kept realtime hours up to a little ahead of now and of this
 * and next month's rollups, and drops the partitions whose whole range is past retention — old data goes by
 * DROP TABLE, never by DELETE. Safe to run from several processes at once.
 */
export async function maintainPartitions(dataSource: DataSource, retention: MetricRetention, now = new Date()): Promise<{ created: string[]; dropped: string[] }> {
  const hours: Date[] = [];
  const lastHour = hourStart(now).getTime() + HOURS_AHEAD * HOUR_MS;
  for (let hour = oldestKeptHour(retention, now).getTime(); hour <= lastHour; hour += HOUR_MS) hours.push(new Date(hour));
  const created = await createPartitions(dataSource, { hours, months: [monthStart(now), addMonths(monthStart(now), 1)] });
  const dropped = await dataSource.transaction(async (manager) => {
    await manager.query(PARTITION_LOCK_SQL);
    const gone: string[] = [];
    for (const name of await existingPartitions(manager)) {
      if (!isPastRetention(name, retention, now)) continue;
      await manager.query(`DROP TABLE ${name}`);
      gone.push(name);
    }
    return gone.sort();
  });
  return { created, dropped };
}

/**
 * Whether a partition (by its name, which says its range) holds only rows older than retention. A realtime hour is
 * dropped an hour after it stops taking samples, so a batch accepted just before that never meets its hour gone
 * (and recreated empty) midway, which would leave the hour's rollup computed from that batch alone.
 */
function isPastRetention(name: string, retention: MetricRetention, now: Date): boolean {
  const realtime = REALTIME_NAME.exec(name);
  if (realtime) {
    const [, year, month, day, hour] = realtime.map(Number);
    return Date.UTC(year, month - 1, day, hour) < oldestKeptHour(retention, now).getTime() - HOUR_MS;
  }
  const rollup = ROLLUP_NAME.exec(name);
  if (rollup) {
    const interval = rollup[1] as RollupInterval;
    return Date.UTC(Number(rollup[2]), Number(rollup[3]) - 1, 1) < oldestKeptMonth(interval, retention, now).getTime();
  }
  return false;
}
