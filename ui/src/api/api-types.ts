/**
 * The API's answers as the UI reads them: the wire contract of /api/v1 (the server's TypeBox schemas are its source;
 * these mirror the fields the UI uses). Timestamps are ISO strings, ids strings of digits.
 */

export type ProviderStatus = 'ok' | 'error' | 'never' | 'disabled';

export interface Provider {
  id: string;
  name: string;
  type: string;
  zone: string;
  region: string | null;
  enabled: boolean;
  refreshIntervalMinutes: number | null;
  config: Record<string, unknown>;
  status: ProviderStatus;
  setupState: string;
  setupError: string | null;
  lastRefreshAt: string | null;
  lastRefreshSuccessAt: string | null;
  lastRefreshError: string | null;
  eventStreamError: string | null;
  metricsCaptureError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One field of an add-provider form: a data-driven-forms field as provider types declare them. */
export interface FormFieldSchema {
  component: string;
  name: string;
  label?: string;
  type?: string;
  isRequired?: boolean;
  helperText?: string;
  initialValue?: string | number | boolean;
  options?: { label: string; value: string }[];
  validate?: ({ type: string } & Record<string, unknown>)[];
  fields?: FormFieldSchema[];
}

export interface ProviderType {
  type: string;
  title: string;
  managerKind: string;
  regions: { name: string; title: string }[] | null;
  form: { fields: FormFieldSchema[] };
  /** The type's collections, each with the inventory collection (table) it fills. */
  collections: { name: string; inventory: string }[];
  targetable: string[];
  events: boolean;
  metrics: boolean;
}

/** What POST /providers and POST /providers/verify take. */
export interface ProviderCreateBody {
  type: string;
  name: string;
  region?: string;
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
}

/** What PATCH /providers/{provider} takes: config is merged into the stored one, credentials replace the stored ones. */
export interface ProviderUpdateBody {
  name?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
  credentials?: Record<string, unknown>;
}

export interface VerifyResult {
  valid: boolean;
  message?: string;
}

/** A page of a keyset-paged list: `next` is the cursor of the following page, null at the end. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface RefreshAccepted {
  refreshId: string;
  providerId: string;
}

export type RefreshState = 'queued' | 'running' | 'done' | 'failed';

export interface RefreshStatus {
  refreshId: string;
  providerId: string;
  state: RefreshState;
  /** The phase and the objects built so far per collection. */
  progress: { phase: string; built: Record<string, number> } | null;
  refreshRunId: string | null;
  outcome: { status: string; scope: string; writes: number; error: string | null } | null;
  failedReason: string | null;
  requestedAt: string;
  finishedAt: string | null;
}

/** Per collection: how a refresh left its objects. */
export interface CollectionCounts {
  created?: number;
  updated?: number;
  deleted?: number;
  unchanged?: number;
  unresolvedReferences?: number;
}

/** An object to refresh: a collection of the provider's type and the object's provider reference (emsRef). */
export interface RefreshTarget {
  collection: string;
  ref: string;
}

export interface RefreshRun {
  id: string;
  providerId: string;
  kind: string;
  source: string;
  status: string;
  targets: RefreshTarget[];
  startedAt: string;
  finishedAt: string | null;
  durationsMs: { collect: number | null; parse: number | null; persist: number | null };
  stats: { collections?: Record<string, CollectionCounts> } | null;
  error: string | null;
}

export interface RefreshChange {
  id: string;
  collection: string;
  ref: string;
  kind: string;
  changedFields: string[] | null;
}

export type InventoryFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'timestamp' | 'id' | 'json';

export interface InventoryField {
  name: string;
  type: InventoryFieldType;
  filterable: boolean;
  sortable: boolean;
}

/** An inventory collection (table) and what its lists can filter and sort on. */
export interface InventoryCollection {
  name: string;
  /** Whether `q` searches it (its objects have names). */
  searchable?: boolean;
  fields: InventoryField[];
  /** The relations an object of it has: { name, kind: 'one' | 'many', collection, ... } (see relation-target). */
  relations: unknown[];
}

/** One inventory object as lists give it: its fields by camelCase name. */
export type InventoryRow = { id: string } & Record<string, unknown>;

/** One object with its related objects: one (or null) per to-one relation, a list per to-many relation. */
export type InventoryObject = InventoryRow & {
  relations?: Record<string, InventoryRow | InventoryRow[] | null>;
  /** The to-many relations whose list was cut short (the API sends the first 100). */
  relationsTruncated?: string[];
};

export interface FleetEvent {
  id: string;
  providerId: string;
  type: string;
  source: string;
  timestamp: string;
  message: string;
  /** The objects the event names, by the provider type's collection and the provider's reference. */
  refs: { collection: string; emsRef: string }[];
  /** The inventory objects the event is linked to, by inventory collection: { cloud_vms: '12' }. */
  objects: Record<string, string>;
}

export type MetricsInterval = 'realtime' | 'hourly' | 'daily';

export interface MetricsAnswer {
  interval: MetricsInterval;
  counters: string[];
  /** Oldest first; realtime points are samples, hourly and daily ones averages. */
  points: { timestamp: string; values: Record<string, number | null> }[];
}

export interface Worker {
  id: string;
  role: string;
  providerId: string | null;
  status: string;
  stopReason: string | null;
  pid: number | null;
  queue: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  lastHeartbeatAt: string | null;
  rssBytes: number | null;
  cpuTimeMs: number | null;
}

export interface QueueCounts {
  waiting?: number;
  active?: number;
  [state: string]: number | undefined;
}

export interface QueuesAnswer {
  /** Per provider; a refresh asked for while one waits is merged into the pending request. */
  refresh: ({ providerId: string; providerName: string; pendingFull?: boolean; pendingTargets?: number } & QueueCounts)[];
  events: QueueCounts;
  metrics: QueueCounts;
}
