import { Type, type Static } from '@sinclair/typebox';
import { Id, NullableTimestamp, Timestamp } from './common-schemas';
import { ProviderStatusView } from './provider-schemas';

export const OverviewQuery = Type.Object({
  provider: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'only this provider (id or name); the totals then are its own' })),
});
export type OverviewQuery = Static<typeof OverviewQuery>;

const Count = Type.Integer({ minimum: 0 });

const TableCountView = Type.Object({
  /** The inventory table (cloud_vms), as GET /inventory names it. */
  inventory: Type.String(),
  count: Type.Integer({ minimum: 0, description: 'objects at the provider (archived ones apart)' }),
  archived: Type.Integer({ minimum: 0, description: 'objects gone from the provider, kept for their history' }),
  states: Type.Record(Type.String(), Count, { description: 'objects at the provider per state (power state, phase, status...), where the collection has one' }),
  countedAt: Type.Union([Timestamp, Type.Null()], { description: 'when counted: the refresh workers count a collection again about a second after a refresh changed it' }),
}, { additionalProperties: false });

const CollectionCountView = Type.Composite([
  Type.Object({
    /** The provider type's name for the collection (vms). */
    name: Type.String(),
    /** Whether its rows only link two objects (a VM and a security group) rather than being objects of their own. */
    link: Type.Boolean(),
  }),
  TableCountView,
], { additionalProperties: false });

const WorkerHealthView = Type.Object({
  running: Count,
  starting: Count,
  stopping: Count,
  stoppedLastHour: Type.Integer({ minimum: 0, description: 'replaced (a crash, a missed heartbeat, the memory threshold) or stopped on purpose in the last hour' }),
  oldestHeartbeatAt: Type.Union([Timestamp, Type.Null()], { description: 'the oldest heartbeat among the running ones' }),
}, { additionalProperties: false });

const ProviderOverviewView = Type.Object({
  id: Id,
  name: Type.String(),
  type: Type.String(),
  status: ProviderStatusView,
  lastRefreshAt: NullableTimestamp,
  lastRefreshSuccessAt: NullableTimestamp,
  lastRefreshError: Type.Union([Type.String(), Type.Null()]),
  collections: Type.Array(CollectionCountView, { description: "the provider type's collections, in its order" }),
  eventsLastHour: Count,
  workers: WorkerHealthView,
}, { additionalProperties: false });

export const FleetOverviewView = Type.Object({
  generatedAt: Timestamp,
  totals: Type.Object({
    providers: Type.Object({ all: Count, ok: Count, error: Count, never: Count, disabled: Count }, { additionalProperties: false }),
    collections: Type.Array(TableCountView, { description: 'per inventory table, the sum over the providers' }),
    eventsLastHour: Count,
    workers: WorkerHealthView,
  }, { additionalProperties: false }),
  providers: Type.Array(ProviderOverviewView),
}, { $id: 'FleetOverview', additionalProperties: false });
export type FleetOverviewView = Static<typeof FleetOverviewView>;
