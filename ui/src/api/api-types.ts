/**
 * The API's answers and bodies as the UI reads and writes them: the Static types of the server's TypeBox schemas,
 * imported type-only (no server code is bundled), so a schema change the UI does not follow fails `tsc -p ui`.
 * Timestamps are ISO strings on the wire and in these types; ids strings of digits.
 */
import type { Static } from '@sinclair/typebox';
import type { pageOf } from '../../../src/api/page';
import type { EventView } from '../../../src/api/schemas/event-schemas';
import type { InventoryCollectionView, InventoryRowView, InventoryRowWithRelationsView, ListTotal as ListTotalSchema } from '../../../src/api/schemas/inventory-schemas';
import type { MetricSeriesView } from '../../../src/api/schemas/metric-schemas';
import type { FleetOverviewView } from '../../../src/api/schemas/overview-schemas';
import type {
  ProviderCreateBody as ProviderCreateBodySchema, ProviderTypeView, ProviderUpdateBody as ProviderUpdateBodySchema, ProviderView,
  VerifyResult as VerifyResultSchema,
} from '../../../src/api/schemas/provider-schemas';
import type { QueuesView } from '../../../src/api/schemas/queue-schemas';
import type { ChangeView, RefreshAccepted as RefreshAcceptedSchema, RefreshRunView, RefreshStatusView } from '../../../src/api/schemas/refresh-schemas';
import type { OperationBody as OperationBodySchema, TaskListQuery as TaskListQuerySchema, TaskView } from '../../../src/api/schemas/task-schemas';
import type { WorkerView } from '../../../src/api/schemas/worker-schemas';

export type Provider = ProviderView;
export type ProviderStatus = Provider['status'];

export type ProviderType = ProviderTypeView;
/** An operation a provider type offers on the objects of one of its collections (`inventory`: that collection's table). */
export type ProviderOperation = ProviderType['operations'][number];
/** One field of an add-provider form: a data-driven-forms field as provider types declare them. */
export type FormFieldSchema = ProviderType['form']['fields'][number];

/** What POST /providers and POST /providers/verify take. */
export type ProviderCreateBody = ProviderCreateBodySchema;
/** What PATCH /providers/{provider} takes: config is merged into the stored one, credentials replace the stored ones. */
export type ProviderUpdateBody = ProviderUpdateBodySchema;
export type VerifyResult = VerifyResultSchema;

/** A page of a keyset-paged list, as every list route builds it: `next` is the following page's cursor, null at the end. */
export type Page<T> = ReturnType<typeof pageOf<unknown, T>>;

export type RefreshAccepted = Static<typeof RefreshAcceptedSchema>;
export type RefreshStatus = RefreshStatusView;
export type RefreshRun = RefreshRunView;
/** An object to refresh: a collection of the provider's type and the object's provider reference (emsRef). */
export type RefreshTarget = RefreshRun['targets'][number];
/** Per collection: how a refresh left its objects. */
export type CollectionCounts = NonNullable<RefreshRun['stats']>['collections'][string];
export type RefreshChange = ChangeView;

/** An inventory collection (table) and what its lists can filter and sort on. */
export type InventoryCollection = InventoryCollectionView;
export type InventoryField = InventoryCollection['fields'][number];
export type InventoryFieldType = InventoryField['type'];

/** One inventory object as lists give it: the id, and the collection's other fields by camelCase name. */
export type InventoryRow = Static<typeof InventoryRowView> & Record<string, unknown>;

/** One object with its related objects: one (or null) per to-one relation, a list per to-many relation. */
export type InventoryObject = InventoryRow & Omit<Static<typeof InventoryRowWithRelationsView>, 'relations'> & {
  relations: Record<string, InventoryRow | InventoryRow[] | null>;
};

/** A list's size, counted or (for long lists) estimated. */
export type ListTotal = ListTotalSchema;

export type FleetEvent = EventView;

/** The fleet at a glance (GET /overview). */
export type FleetOverview = FleetOverviewView;
export type ProviderOverview = FleetOverview['providers'][number];
export type CollectionSize = ProviderOverview['collections'][number];
export type WorkerHealth = ProviderOverview['workers'];

export type MetricsAnswer = MetricSeriesView;
export type MetricsInterval = MetricsAnswer['interval'];

export type Worker = WorkerView;

export type QueuesAnswer = QueuesView;
/** The jobs of a shared queue (events, metrics) by state. */
export type QueueCounts = QueuesAnswer['events'] | QueuesAnswer['metrics'];

/** An operation asked for on an object, and how it went. */
export type Task = TaskView;
export type TaskState = Task['state'];
/** What POST /inventory/{collection}/{id}/operations/{name} takes. */
export type OperationBody = Static<typeof OperationBodySchema>;
/** What GET /tasks filters on. */
export type TaskListQuery = Static<typeof TaskListQuerySchema>;
