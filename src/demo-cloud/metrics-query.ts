import { InvalidInputError } from './invalid-input-error';
import type { RawQuery } from './list-query';
import { METRIC_COLLECTIONS, type MetricCollection } from './metrics';

/** The most objects one metrics request may name. */
export const MAX_METRIC_IDS = 1000;
/** The longest window one metrics request may ask for. */
export const MAX_METRIC_WINDOW_SECONDS = 24 * 3600;

/** A metrics request: the objects' samples with `fromMs < timestamp <= toMs`. */
export interface MetricsQuery {
  collection: MetricCollection;
  ids: string[];
  fromMs: number;
  toMs: number;
}

const KNOWN_PARAMS = new Set(['collection', 'ids', 'from', 'to']);
/** ISO 8601 date and time with an offset, e.g. 2030-01-01T00:00:00Z or 2030-01-01T01:00:00.500+01:00. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses ?collection=&ids=&from=&to=, naming every problem in one message. */
export function parseMetricsQuery(query: RawQuery): MetricsQuery {
  const problems: string[] = [];
  for (const key of Object.keys(query)) {
    if (!KNOWN_PARAMS.has(key)) problems.push(`unknown query parameter: ${key}`);
  }
  const collection = single(query, 'collection', problems);
  if (collection !== null && !(METRIC_COLLECTIONS as readonly (string | undefined)[]).includes(collection)) {
    problems.push(`collection must be one of: ${METRIC_COLLECTIONS.join(', ')}`);
  }
  const rawIds = single(query, 'ids', problems);
  const ids = (rawIds ?? '').split(',').filter((id) => id !== '');
  if (rawIds !== null && ids.length === 0) problems.push('ids must name at least one object');
  if (ids.length > MAX_METRIC_IDS) problems.push(`ids accepts at most ${MAX_METRIC_IDS} ids`);
  const fromMs = time(query, 'from', problems);
  const toMs = time(query, 'to', problems);
  if (fromMs !== undefined && toMs !== undefined) {
    if (toMs <= fromMs) problems.push('to must be after from');
    else if (toMs - fromMs > MAX_METRIC_WINDOW_SECONDS * 1000) problems.push(`to may be at most ${MAX_METRIC_WINDOW_SECONDS / 3600} hours after from`);
  }
  if (problems.length > 0 || fromMs === undefined || toMs === undefined) throw new InvalidInputError(problems.join('; '));
  return { collection: collection as MetricCollection, ids, fromMs, toMs };
}

function time(query: RawQuery, name: string, problems: string[]): number | undefined {
  const raw = single(query, name, problems);
  if (raw === null) return undefined;
  const ms = raw !== undefined && ISO_TIME.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    problems.push(`${name} must be an ISO 8601 time with an offset, e.g. 2030-01-01T00:00:00Z`);
    return undefined;
  }
  return ms;
}

/** The parameter's value; null (with the problem recorded) when it was given more than once. */
function single(query: RawQuery, name: string, problems: string[]): string | undefined | null {
  const value = query[name];
  if (!Array.isArray(value)) return value;
  problems.push(`${name} may be given only once`);
  return null;
}
