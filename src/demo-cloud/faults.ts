import type { Page } from './collection';
import { InvalidInputError } from './invalid-input-error';
import { isMetricsCorruption, METRICS_CORRUPTIONS, type MetricsCorruption } from './metrics-corruption';
import { isCollectionName, type CollectionName } from './model';
import { Random } from './random';

/** The failure switches, in the shape PUT /admin/faults takes and echoes. */
export interface FaultConfig {
  /** Answer 500 to list/get requests of the collection, `times` times (absent = until cleared). */
  error_500?: { collection: CollectionName; times?: number };
  /** Delay every /v1 response by this many milliseconds. */
  slow_ms?: number;
  /** List responses of the collection are cut short: invalid JSON, still labelled application/json. */
  malformed?: { collection: CollectionName };
  /** The request for this 0-based page of the collection silently gets the page after it instead. */
  missing_page?: { collection: CollectionName; page: number };
  /** The request for this 0-based page gets the first page's items again, with its own next_marker. */
  repeated_page?: { collection: CollectionName; page: number };
  /** Every /v1 request waits, unanswered, until this switch is turned off (a cloud that hangs). */
  hold?: true;
  /** Metrics answers come back wrong in this way (see METRICS_CORRUPTIONS). */
  bad_metrics?: MetricsCorruption;
  /**
   * Answer /v1 requests (only those of `collection` when named) with `status` (429 by default, or 503) and a
   * `Retry-After: retry_after` header (seconds; no header when absent): `times` times, or a `rate` (fraction) of
   * requests, or every request until cleared.
   */
  throttle?: ThrottleFault;
}

export interface ThrottleFault {
  status: 429 | 503;
  collection?: CollectionName;
  times?: number;
  rate?: number;
  retry_after?: number;
}

/** A throttled request's answer: its status and the Retry-After seconds, if any. */
export interface Throttled {
  status: 429 | 503;
  retryAfter?: number;
}

const MAX_SLOW_MS = 60_000;
/** A day: enough to ask for a wait longer than any client's bound. */
const MAX_RETRY_AFTER_SECONDS = 86_400;
/** The throttle rate draws from a fixed seed, so the same settings throttle the same requests. */
const THROTTLE_SEED = 429;
/** Markers remembered for page counting; old ones are dropped first, so abandoned walks cannot grow the map. */
const MAX_TRACKED_MARKERS = 10_000;

/**
 * The simulator's failure switches. Setting replaces the whole configuration; error_500 and throttle clear
 * themselves once their `times` are used up.
 */
export class FaultSwitches {
  private config: FaultConfig = {};
  /** Releases the requests held by the hold fault; set while it is on. */
  private releaseHeld: (() => void) | undefined;
  private held: Promise<void> = Promise.resolve();
  /** For the missing_page collection: the page index a request with this marker asks for. */
  private readonly pageIndexByMarker = new Map<string, number>();
  private throttleRandom = new Random(THROTTLE_SEED);

  /** Validates and applies a PUT /admin/faults body; throws InvalidInputError naming every problem. */
  set(body: unknown): FaultConfig {
    this.config = parseFaultConfig(body);
    this.pageIndexByMarker.clear();
    this.throttleRandom = new Random(THROTTLE_SEED);
    this.applyHold();
    return this.current();
  }

  clear(): void {
    this.config = {};
    this.pageIndexByMarker.clear();
    this.applyHold();
  }

  /** Resolves at once, or, while the hold fault is on, once it is turned off. */
  whenNotHeld(): Promise<void> {
    return this.held;
  }

  get badMetrics(): MetricsCorruption | undefined {
    return this.config.bad_metrics;
  }

  current(): FaultConfig {
    return structuredClone(this.config);
  }

  get slowMs(): number {
    return this.config.slow_ms ?? 0;
  }

  /** Whether this request should fail with a 500; uses up one of the `times`. */
  takeError500(collection: CollectionName): boolean {
    const fault = this.config.error_500;
    if (!fault || fault.collection !== collection) return false;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) delete this.config.error_500;
    }
    return true;
  }

  /**
   * How a /v1 request (for `collection`, when it names one) is throttled, or null when it is not; uses up one of the
   * `times`.
   */
  takeThrottle(collection: string | undefined): Throttled | null {
    const fault = this.config.throttle;
    if (!fault || (fault.collection !== undefined && fault.collection !== collection)) return null;
    if (fault.rate !== undefined && !this.throttleRandom.chance(fault.rate)) return null;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) delete this.config.throttle;
    }
    return fault.retry_after === undefined ? { status: fault.status } : { status: fault.status, retryAfter: fault.retry_after };
  }

  isMalformed(collection: CollectionName): boolean {
    return this.config.malformed?.collection === collection;
  }

  /**
   * Fetches one page of a listing, skipping the faulty page when missing_page names this collection, or serving
   * the first page's items again when repeated_page does. Pages are
   * counted per walk through their markers: no marker is page 0, and each next_marker handed out is remembered as
   * the following page.
   */
  listPage<T>(collection: CollectionName, marker: string | null, fetch: (marker: string | null) => Page<T>): Page<T> {
    const repeated = this.config.repeated_page;
    if (repeated?.collection === collection) {
      const index = marker === null ? 0 : this.pageIndexByMarker.get(marker);
      const page = fetch(marker);
      if (index === undefined) return page;
      if (page.nextMarker !== null) this.rememberMarker(page.nextMarker, index + 1);
      return index === repeated.page ? { items: fetch(null).items, nextMarker: page.nextMarker } : page;
    }
    const fault = this.config.missing_page;
    if (!fault || fault.collection !== collection) return fetch(marker);
    const index = marker === null ? 0 : this.pageIndexByMarker.get(marker);
    let page = fetch(marker);
    if (index === undefined) return page;
    let servedIndex = index;
    if (index === fault.page) {
      page = page.nextMarker === null ? { items: [], nextMarker: null } : fetch(page.nextMarker);
      servedIndex = index + 1;
    }
    if (page.nextMarker !== null) this.rememberMarker(page.nextMarker, servedIndex + 1);
    return page;
  }

  private applyHold(): void {
    if (this.config.hold && !this.releaseHeld) {
      this.held = new Promise((resolve) => { this.releaseHeld = resolve; });
    } else if (!this.config.hold && this.releaseHeld) {
      this.releaseHeld();
      this.releaseHeld = undefined;
      this.held = Promise.resolve();
    }
  }

  private rememberMarker(marker: string, index: number): void {
    this.pageIndexByMarker.delete(marker);
    this.pageIndexByMarker.set(marker, index);
    if (this.pageIndexByMarker.size > MAX_TRACKED_MARKERS) {
      const oldest = this.pageIndexByMarker.keys().next();
      if (!oldest.done) this.pageIndexByMarker.delete(oldest.value);
    }
  }
}

function parseFaultConfig(body: unknown): FaultConfig {
  if (!isRecord(body)) throw new InvalidInputError('faults must be a JSON object');
  const problems: string[] = [];
  const config: FaultConfig = {};
  for (const key of Object.keys(body)) {
    if (!['error_500', 'slow_ms', 'malformed', 'missing_page', 'repeated_page', 'throttle', 'hold', 'bad_metrics'].includes(key)) problems.push(`unknown fault: ${key}`);
  }
  if (body.error_500 !== undefined) {
    const collection = parseCollection(body.error_500, 'error_500', problems);
    const times = isRecord(body.error_500) ? body.error_500.times : undefined;
    if (times === undefined) {
      if (collection) config.error_500 = { collection };
    } else if (typeof times !== 'number' || !Number.isInteger(times) || times <= 0) {
      problems.push('error_500.times must be a positive integer');
    } else if (collection) {
      config.error_500 = { collection, times };
    }
  }
  if (body.slow_ms !== undefined) {
    const slow = body.slow_ms;
    if (typeof slow !== 'number' || !Number.isInteger(slow) || slow < 0 || slow > MAX_SLOW_MS) {
      problems.push(`slow_ms must be an integer from 0 to ${MAX_SLOW_MS}`);
    } else {
      config.slow_ms = slow;
    }
  }
  if (body.malformed !== undefined) {
    const collection = parseCollection(body.malformed, 'malformed', problems);
    if (collection) config.malformed = { collection };
  }
  for (const name of ['missing_page', 'repeated_page'] as const) {
    if (body[name] === undefined) continue;
    const collection = parseCollection(body[name], name, problems);
    const fault = body[name];
    const page = isRecord(fault) ? fault.page : undefined;
    if (typeof page !== 'number' || !Number.isInteger(page) || page < 0) {
      problems.push(`${name}.page must be an integer >= 0`);
    } else if (collection) {
      config[name] = { collection, page };
    }
  }
  if (body.throttle !== undefined) {
    const throttle = parseThrottle(body.throttle, problems);
    if (throttle) config.throttle = throttle;
  }
  if (body.hold !== undefined) {
    if (body.hold === true) config.hold = true;
    else if (body.hold !== false) problems.push('hold must be true or false');
  }
  if (body.bad_metrics !== undefined) {
    if (isMetricsCorruption(body.bad_metrics)) config.bad_metrics = body.bad_metrics;
    else problems.push(`bad_metrics must be one of: ${METRICS_CORRUPTIONS.join(', ')}`);
  }
  if (problems.length > 0) throw new InvalidInputError(problems.join('; '));
  return config;
}

function parseThrottle(fault: unknown, problems: string[]): ThrottleFault | undefined {
  if (!isRecord(fault)) {
    problems.push('throttle must be an object');
    return undefined;
  }
  const before = problems.length;
  const unknownKeys = Object.keys(fault).filter((key) => !['status', 'collection', 'times', 'rate', 'retry_after'].includes(key));
  if (unknownKeys.length > 0) problems.push(`unknown throttle field(s): ${unknownKeys.join(', ')}`);
  const { status = 429, times, rate, retry_after: retryAfter } = fault;
  const throttle: ThrottleFault = { status: 429 };
  if (status === 429 || status === 503) throttle.status = status;
  else problems.push('throttle.status must be 429 or 503');
  if (fault.collection !== undefined) throttle.collection = parseCollection(fault, 'throttle', problems);
  if (times !== undefined && rate !== undefined) problems.push('throttle takes times or rate, not both');
  if (typeof times === 'number' && Number.isInteger(times) && times > 0) throttle.times = times;
  else if (times !== undefined) problems.push('throttle.times must be a positive integer');
  if (typeof rate === 'number' && rate > 0 && rate <= 1) throttle.rate = rate;
  else if (rate !== undefined) problems.push('throttle.rate must be a number above 0, at most 1');
  if (typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter >= 0 && retryAfter <= MAX_RETRY_AFTER_SECONDS) throttle.retry_after = retryAfter;
  else if (retryAfter !== undefined) problems.push(`throttle.retry_after must be a whole number of seconds from 0 to ${MAX_RETRY_AFTER_SECONDS}`);
  return problems.length > before ? undefined : throttle;
}

function parseCollection(fault: unknown, name: string, problems: string[]): CollectionName | undefined {
  const collection = isRecord(fault) ? fault.collection : undefined;
  if (typeof collection === 'string' && isCollectionName(collection)) return collection;
  problems.push(`${name}.collection must be one of the collections`);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
