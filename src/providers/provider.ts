import type { JSONSchemaType } from 'ajv';
import type { Logger } from '../logging/logger';
import type { InventoryCollections } from '../core/inventory/inventory';
import type { InventoryDefinition } from '../core/inventory/inventory-definition';
import type { RefreshScope } from '../core/refresh/refresh-scope';
import type { FormSchema } from './form-schema';
import type { ProviderTypeTables } from './provider-type-tables';
import type { EventBatch, EventPosition, ProviderEventSupport } from '../core/events/provider-events';
import type { MetricSeries, MetricTarget, MetricWindow, ProviderMetricsSupport } from '../core/metrics/provider-metrics';
import type { OperationRequest, OperationResult, OperationSpec } from '../core/operations/provider-operations';

/** A collector's word that it could not fetch some collections completely; they must not lose rows. */
export interface IncompleteCollections {
  incomplete: readonly string[];
  reason: string;
}

/** What a collector yields: a page of native objects for the parser, or news of an incomplete fetch. */
export type Collected<Page> = Page | IncompleteCollections;

export function isIncomplete<Page>(item: Collected<Page>): item is IncompleteCollections {
  return typeof item === 'object' && item !== null && 'incomplete' in item && 'reason' in item;
}

/** Everything a provider instance gets; all side effects come in here so tests can swap them. */
export interface ProviderOptions<Config, Credentials> {
  /** The provider's id, or null while it is being verified before its record exists. */
  id: string | null;
  name: string;
  region: string | null;
  config: Config;
  credentials: Credentials;
  logger: Logger;
  fetch: typeof globalThis.fetch;
}

/**
 * One provider, as Taskcluster's worker-manager shapes them: the constructor only stores its options and cannot
 * fail; `setup()` is async, idempotent and safe to run in several processes at once; everything that talks to the
 * provider takes an AbortSignal.
 */
export abstract class Provider<Config, Credentials, Page, D extends InventoryDefinition, Connection = unknown, NativeEvent = never> {
  constructor(protected readonly options: ProviderOptions<Config, Credentials>) {}

  /** One-time preparation (create what the provider needs on its side). Must be idempotent. */
  async setup(): Promise<void> {}

  /**
   * An authenticated connection to the provider's API, proven by one cheap call: throws InvalidCredentialsError
   * when the provider refuses the credentials, another error when it cannot be reached.
   */
  abstract connect(signal?: AbortSignal): Promise<Connection>;

  /**
   * The check run before a provider is saved (the add-provider form's Validate) and for a saved one: connects, and
   * checks what else the config promises (a region that exists, a namespace that is visible). It is the one method
   * that may run without setup(): before saving there is no provider to set up, and the user may never save it.
   */
  abstract verifyCredentials(signal?: AbortSignal): Promise<void>;

  /** Fetches native objects for a refresh, page by page. */
  abstract collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<Page>>;

  /** Maps one page of native objects into inventory objects. Must not depend on page order. */
  abstract parse(page: Page, inventory: InventoryCollections<D>): void;

  /**
   * The provider's native events after `position` (null: from now on), batch by batch, each batch with the position
   * after it; a first batch, possibly empty, comes at once, so a stream opened from now has a position to keep.
   * Runs until `signal` aborts. Throws EventPositionLostError when the provider no longer has events from
   * `position`. Implemented by the providers of types that declare `events`.
   */
  streamEvents?(position: EventPosition | null, signal: AbortSignal): AsyncIterable<EventBatch<NativeEvent>>;

  /**
   * The targets' samples in the window at the type's native interval, one series per target that has any (an object
   * the provider no longer knows has none). At most `maxTargetsPerCapture` targets, all of captured kinds.
   * Implemented by the providers of types that declare `metrics`.
   */
  captureMetrics?(targets: readonly MetricTarget[], window: MetricWindow, signal?: AbortSignal): Promise<MetricSeries[]>;

  /**
   * Runs one of the type's `operations` on an object, to its end at the provider (a task followed until it is done),
   * or throws the provider's refusal. Must stop when `request.signal` aborts. Implemented by the providers of types
   * that declare operations.
   */
  runOperation?(name: string, request: OperationRequest): Promise<OperationResult>;

  /**
   * Undoes or tidies what an operation that failed half-way left behind (ManageIQ's advice: a failed operation must
   * not leave the provider in between). Called after runOperation threw; what it throws is logged on the task.
   */
  cleanUpOperation?(name: string, request: Omit<OperationRequest, 'signal'>, failure: unknown): Promise<void>;
}

export interface Region {
  name: string;
  title: string;
}

/** The static side of a provider type: what the API and the add-provider form know of it. */
export interface ProviderType<Config, Credentials, Page, D extends InventoryDefinition, NativeEvent = never> {
  type: string;
  title: string;
  managerKind: 'cloud' | 'infra' | 'container';
  configSchema: JSONSchemaType<Config>;
  credentialsSchema: JSONSchemaType<Credentials>;
  form: FormSchema;
  /** Where the type has regions, the provider must name one of them. */
  regions?: readonly Region[];
  inventory: D;
  /**
   * Collections whose objects the collector can fetch one by one. A target in any other collection makes the
   * refresh full: a target the collector did not fetch would otherwise look deleted.
   */
  targetable: readonly (keyof D & string)[];
  /**
   * For a type that fetches many targets at once more cheaply than the fleet's threshold assumes: the most distinct
   * targets one targeted refresh takes before a full refresh is the cheaper one. Applies where it is above the
   * fleet's `refreshFullThreshold` (an operator's higher setting still wins).
   */
  targetedRefreshLimit?: number;
  /**
   * Present when the type's providers have an event stream: an event catcher then runs for each of them, and they
   * are fully refreshed on the long schedule (`refreshIntervalWithEventsMinutes`), as events keep them fresh.
   */
  events?: ProviderEventSupport<NativeEvent>;
  /** Present when the type's providers have utilization metrics: a metrics collector then runs for each of them. */
  metrics?: ProviderMetricsSupport;
  /** Present when the type keeps inventory in tables of its own (see ProviderTypeTables). */
  tables?: ProviderTypeTables;
  /** The operations its providers run on their objects, by name (`vm.stop`); see Provider.runOperation. */
  operations?: Readonly<Record<string, OperationSpec>>;
  create(options: ProviderOptions<Config, Credentials>): Provider<Config, Credentials, Page, D, unknown, NativeEvent>;
}

/** A provider type seen by code that does not know its config, credentials or pages (the registry, the runner). */
export type AnyProviderType = ProviderType<unknown, unknown, unknown, InventoryDefinition, unknown>;
export type AnyProvider = Provider<unknown, unknown, unknown, InventoryDefinition, unknown, unknown>;

/**
 * Registers a provider type in the type map. Its config and credentials are validated against its schemas before
 * any instance is created, which is what makes erasing their types here sound.
 */
export function registerType<Config, Credentials, Page, D extends InventoryDefinition, NativeEvent = never>(
  type: ProviderType<Config, Credentials, Page, D, NativeEvent>,
): AnyProviderType {
  return type as unknown as AnyProviderType;
}
