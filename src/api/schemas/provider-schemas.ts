import { Type, type Static } from '@sinclair/typebox';
import type { FormSchema } from '../../providers/form-schema';
import { MAX_REFRESH_INTERVAL_MINUTES } from '../../providers/refresh-interval';
import { Id, Nullable, NullableTimestamp, Timestamp } from './common-schemas';

const Name = Type.String({ minLength: 1, maxLength: 128 });
const Zone = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' });
const RefreshIntervalMinutes = Nullable(Type.Integer({ minimum: 0, maximum: MAX_REFRESH_INTERVAL_MINUTES, description: 'minutes between scheduled full refreshes (0: none; null: the type\'s)' }));
/** Config and credentials are checked against the provider type's own schemas, which name the field at fault. */
const Settings = Type.Object({}, { additionalProperties: true, maxProperties: 100 });

export const ProviderCreateBody = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 64 }),
  name: Name,
  zone: Type.Optional(Zone),
  region: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  config: Settings,
  credentials: Settings,
  refreshIntervalMinutes: Type.Optional(RefreshIntervalMinutes),
}, { additionalProperties: false });
export type ProviderCreateBody = Static<typeof ProviderCreateBody>;

export const ProviderCreateQuery = Type.Object({
  verify: Type.Boolean({ default: true, description: 'check the credentials against the provider before saving' }),
}, { additionalProperties: false });
export type ProviderCreateQuery = Static<typeof ProviderCreateQuery>;

export const ProviderUpdateBody = Type.Object({
  name: Type.Optional(Name),
  zone: Type.Optional(Zone),
  enabled: Type.Optional(Type.Boolean()),
  refreshIntervalMinutes: Type.Optional(RefreshIntervalMinutes),
  config: Type.Optional(Settings),
  credentials: Type.Optional(Settings),
}, { additionalProperties: false, minProperties: 1 });
export type ProviderUpdateBody = Static<typeof ProviderUpdateBody>;

/** A provider as the API shows it: never its credentials. */
/** A provider's health in one word: its last refresh ok, failed, none yet, or the provider disabled. */
export const ProviderStatusView = Type.Union([Type.Literal('ok'), Type.Literal('error'), Type.Literal('never'), Type.Literal('disabled')]);

export const ProviderView = Type.Object({
  id: Id,
  name: Type.String(),
  type: Type.String(),
  zone: Type.String(),
  region: Nullable(Type.String()),
  enabled: Type.Boolean(),
  refreshIntervalMinutes: Nullable(Type.Integer()),
  config: Type.Record(Type.String(), Type.Unknown()),
  /** ok: last refresh succeeded; error: it failed (see lastRefreshError); never: not refreshed yet; disabled. */
  status: ProviderStatusView,
  setupState: Type.String(),
  setupError: Nullable(Type.String()),
  lastRefreshAt: NullableTimestamp,
  lastRefreshSuccessAt: NullableTimestamp,
  /** The last full refresh that ended ok: the one the schedule counts from. */
  lastFullRefreshSuccessAt: NullableTimestamp,
  lastRefreshError: Nullable(Type.String()),
  /** The last refresh's counts (created, updated, deleted, unchanged) per collection and phase durations. */
  lastRefreshStats: Type.Unknown(),
  eventStreamError: Nullable(Type.String()),
  metricsCaptureError: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}, { $id: 'Provider', additionalProperties: false });
export type ProviderView = Static<typeof ProviderView>;

export const VerifyResult = Type.Object({
  valid: Type.Boolean(),
  /** Why the provider refused or could not be reached, when not valid. */
  message: Type.Optional(Type.String()),
}, { additionalProperties: false });
export type VerifyResult = Static<typeof VerifyResult>;

const Region = Type.Object({ name: Type.String(), title: Type.String() }, { additionalProperties: false });

export const ProviderTypeView = Type.Object({
  type: Type.String(),
  title: Type.String(),
  managerKind: Type.String(),
  regions: Nullable(Type.Array(Region)),
  configSchema: Type.Unknown(),
  credentialsSchema: Type.Unknown(),
  /** The add-provider form as a data-driven-forms schema (the type's own, not checked again on the way out). */
  form: Type.Unsafe<FormSchema>({}),
  /** The type's inventory collections, each with the inventory collection (table) of /inventory/{collection} it fills. */
  collections: Type.Array(Type.Object({ name: Type.String(), inventory: Type.String() }, { additionalProperties: false })),
  targetable: Type.Array(Type.String()),
  events: Type.Boolean(),
  metrics: Type.Boolean(),
  /** What its providers do to their objects (POST /inventory/{collection}/{id}/operations/{name}). */
  operations: Type.Array(Type.Object({
    name: Type.String(),
    /** The type's collection it acts on (`vms`), and that collection's inventory table. */
    collection: Type.String(),
    inventory: Type.String(),
    title: Type.String(),
    parameters: Nullable(Type.Unknown({ description: 'a JSON schema of its parameters; null: it takes none' })),
    priority: Type.Integer(),
    timeoutSeconds: Type.Integer(),
    destructive: Type.Boolean(),
  }, { additionalProperties: false })),
}, { $id: 'ProviderType', additionalProperties: false });
export type ProviderTypeView = Static<typeof ProviderTypeView>;
