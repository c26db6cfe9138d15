import type { MetricCounter } from '../core/metrics/provider-metrics';
import { deriveSeed } from './random';

/** Seconds between two samples of one object (ManageIQ's realtime interval). */
export const DEMO_METRICS_INTERVAL_SECONDS = 20;

/** The collections whose objects have utilization metrics. */
export const METRIC_COLLECTIONS = ['vms', 'hosts'] as const;
export type MetricCollection = (typeof METRIC_COLLECTIONS)[number];

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/** How one kind of object is loaded: ranges of its levels and the sizes and periods of its waves. */
interface LoadShape {
  /** Keeps a VM's and a host's draws apart when they share a number (vm-0000001, host-00001). */
  salt: number;
  /**
   * Lowest value and spread of the per-object CPU level (percent), and the sizes of its daily, hourly and fast
   * waves relative to that level: an idle object stays idle, a busy one swings widely.
   */
  cpu: { low: number; spread: number; daily: number; hourly: number; fast: number };
  /** The same for memory, which moves slower. */
  memory: { low: number; spread: number; daily: number; hourly: number };
  /** Lowest level and spread of the per-object disk and network rates (kB/s). */
  diskKbps: { low: number; spread: number };
  netKbps: { low: number; spread: number };
  /** Period of the fast wave, in seconds. */
  fastPeriod: number;
}

/** A host carries about 25 VMs: busier on average, smoother, with far more I/O. */
const SHAPES: Readonly<Record<MetricCollection, LoadShape>> = {
  vms: {
    salt: 0,
    cpu: { low: 8, spread: 57, daily: 0.35, hourly: 0.15, fast: 0.1 },
    memory: { low: 20, spread: 55, daily: 0.1, hourly: 0.04 },
    diskKbps: { low: 50, spread: 2000 },
    netKbps: { low: 20, spread: 5000 },
    fastPeriod: 5 * MINUTE,
  },
  hosts: {
    salt: 100,
    cpu: { low: 25, spread: 35, daily: 0.3, hourly: 0.08, fast: 0.04 },
    memory: { low: 45, spread: 35, daily: 0.06, hourly: 0.02 },
    diskKbps: { low: 5_000, spread: 40_000 },
    netKbps: { low: 10_000, spread: 90_000 },
    fastPeriod: 15 * MINUTE,
  },
};

/**
 * The utilization of one VM or host at one instant: a pure function of the object's id and the time, so any
 * window can be served, and checked, without keeping history. Each object has its own levels and its own phases
 * of a daily, an hourly and a fast wave. Percentages stay within 0..100 and rates at 0 or above; every value is
 * rounded to 2 decimals, so it survives a trip through JSON and float8 exactly.
 */
export function demoMetricValues(collection: MetricCollection, id: string, epochSeconds: number): Record<MetricCounter, number> {
  const shape = SHAPES[collection];
  const n = objectNumber(id);
  // A fraction in [0, 1) per object and purpose: the object's level, or the phase of one of its waves.
  const draw = (purpose: number): number => deriveSeed(n, shape.salt + purpose) / 4294967296;
  const wave = (period: number, purpose: number): number => Math.sin(2 * Math.PI * ((epochSeconds % period) / period + draw(purpose)));

  const { cpu, memory, diskKbps, netKbps } = shape;
  // Levels times waves that never reach -1: every value stays above a fifth of its object's level.
  const cpuPercent = (cpu.low + cpu.spread * draw(1)) * (1 + cpu.daily * wave(DAY, 2) + cpu.hourly * wave(HOUR, 3) + cpu.fast * wave(shape.fastPeriod, 4));
  const memoryPercent = (memory.low + memory.spread * draw(5)) * (1 + memory.daily * wave(DAY, 6) + memory.hourly * wave(HOUR, 7));
  const disk = (diskKbps.low + diskKbps.spread * draw(8)) * (1 + 0.6 * wave(DAY, 9)) * (1 + 0.4 * wave(shape.fastPeriod, 10));
  const net = (netKbps.low + netKbps.spread * draw(11)) * (1 + 0.7 * wave(DAY, 12)) * (1 + 0.3 * wave(HOUR, 13));
  return {
    cpu_usage_percent: round2(clampPercent(cpuPercent)),
    memory_usage_percent: round2(clampPercent(memoryPercent)),
    disk_io_kbps: round2(Math.max(0, disk)),
    net_io_kbps: round2(Math.max(0, net)),
  };
}

/** The number in an id (vm-0000042 -> 42); any other id is hashed, so every id has a shape of its own. */
function objectNumber(id: string): number {
  const digits = /(\d+)$/.exec(id);
  if (digits) return Number(digits[1]) >>> 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
