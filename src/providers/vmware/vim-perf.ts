import { ref, type SoapObject } from './soap-request';
import { child, childrenNamed, childText, type XmlElement } from './soap-xml';
import { decodeRef } from './vim-decode';
import { field, fieldNumber, fieldText, isDataObject, type ManagedObjectReference, type PropertyValue } from './vim-values';

/** A performance counter: `name` is how vSphere's documentation names it, e.g. cpu.usage.average. */
export interface PerfCounterInfo {
  readonly key: number;
  readonly name: string;
  readonly group: string;
  readonly counter: string;
  readonly rollupType: string;
  readonly statsType: string;
  /** percent (in hundredths), kiloBytesPerSecond, ... */
  readonly unit: string;
  readonly level: number | undefined;
}

/** A counter, for one instance of what it measures ('' for the whole entity). */
export interface PerfMetricId {
  readonly counterId: number;
  readonly instance: string;
}

export interface PerfQuerySpec {
  readonly entity: ManagedObjectReference;
  readonly metricIds: readonly PerfMetricId[];
  /** 20 for realtime samples. */
  readonly intervalId?: number;
  readonly maxSample?: number;
  readonly startTime?: string;
  readonly endTime?: string;
}

/** The samples of one entity: their times, and per metric the value at each of those times. */
export interface PerfEntityMetric {
  readonly entity: ManagedObjectReference;
  readonly samples: readonly { readonly timestamp: string; readonly interval: number }[];
  readonly series: readonly { readonly id: PerfMetricId; readonly values: readonly number[] }[];
}

/** A counter from a PerfCounterInfo data object; undefined for one without its key or names. */
export function decodePerfCounter(value: PropertyValue): PerfCounterInfo | undefined {
  if (!isDataObject(value)) return undefined;
  const key = fieldNumber(value, 'key');
  const group = fieldText(field(value, 'groupInfo'), 'key');
  const counter = fieldText(field(value, 'nameInfo'), 'key');
  const rollupType = fieldText(value, 'rollupType') ?? '';
  if (key === undefined || group === undefined || counter === undefined) return undefined;
  return {
    key, name: `${group}.${counter}.${rollupType}`, group, counter, rollupType, statsType: fieldText(value, 'statsType') ?? '',
    unit: fieldText(field(value, 'unitInfo'), 'key') ?? '', level: fieldNumber(value, 'level'),
  };
}

export function encodeMetricId(id: PerfMetricId): SoapObject {
  return { counterId: id.counterId, instance: id.instance };
}

/** The spec as vim25 writes a PerfQuerySpec (normal format: values as lists, not CSV). */
export function encodePerfQuerySpec(spec: PerfQuerySpec): SoapObject {
  return {
    entity: ref(spec.entity), startTime: spec.startTime, endTime: spec.endTime, maxSample: spec.maxSample,
    metricId: spec.metricIds.map(encodeMetricId), intervalId: spec.intervalId, format: 'normal',
  };
}

export function decodeMetricId(element: XmlElement): PerfMetricId {
  return { counterId: Number(childText(element, 'counterId')), instance: childText(element, 'instance') ?? '' };
}

/** One entity's samples from a PerfEntityMetric answer. */
export function decodePerfEntityMetric(element: XmlElement): PerfEntityMetric {
  const entity = child(element, 'entity');
  return {
    entity: entity === undefined ? { type: '', value: '' } : decodeRef(entity),
    samples: childrenNamed(element, 'sampleInfo').map((sample) => ({
      timestamp: childText(sample, 'timestamp') ?? '', interval: Number(childText(sample, 'interval')),
    })),
    series: childrenNamed(element, 'value').map((series) => {
      const id = child(series, 'id');
      return { id: id === undefined ? { counterId: -1, instance: '' } : decodeMetricId(id), values: childrenNamed(series, 'value').map((value) => Number(value.text)) };
    }),
  };
}
