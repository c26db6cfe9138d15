import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { InventoryObject } from '../../models';
import {
  emptyTableCount, emptyWorkerHealth, readFleetActivity, type FleetActivity, type ProviderSummary, type TableCount, type WorkerHealth,
} from '../../queries/fleet-activity';
import type { ApiContext } from '../api-context';
import { RecentAnswers } from '../recent-answers';
import { iso, providerStatus } from '../provider-view';
import { errorResponses } from '../schemas/common-schemas';
import { FleetOverviewView, OverviewQuery } from '../schemas/overview-schemas';

type ProviderOverview = FleetOverviewView['providers'][number];
type TableCountView = FleetOverviewView['totals']['collections'][number];

/** The fleet at a glance: per provider its status, last refresh, object counts, recent events and workers; totals on top. */
export const overviewRoutes: FastifyPluginAsyncTypebox<{ context: ApiContext }> = async (app, { context }) => {
  const { dataSource, store } = context;
  const recent = new RecentAnswers<FleetOverviewView>(OVERVIEW_FRESH_MS);
  app.addSchema(FleetOverviewView);

  /** The provider type's collections with their tables; none for a type this server does not have. */
  const collectionsOf = (provider: ProviderSummary): CollectionTable[] => Object.entries(context.types[provider.type]?.inventory ?? {}).map(([name, collection]) => ({
    name, inventory: dataSource.getMetadata(collection.entity).tableName, link: !(collection.entity.prototype instanceof InventoryObject),
  }));

  app.get('/overview', {
    schema: {
      tags: ['overview'], summary: 'the fleet at a glance: per provider its status, last refresh, object counts, events of the last hour and workers',
      description: 'Counts are kept by the refresh workers, counted again about a second after a refresh changed a collection, so '
        + 'this answer costs the same at a million objects as at ten.',
      querystring: OverviewQuery, response: { 200: Type.Ref('FleetOverview'), ...errorResponses },
    },
  }, async (request): Promise<FleetOverviewView> => {
    const only = request.query.provider === undefined ? undefined : (await store.get(request.query.provider)).id;
    return recent.get(only ?? '', async () => {
      const activity = await readFleetActivity(dataSource, only);
      const overviews = activity.providers.map((provider) => providerOverview(provider, activity, collectionsOf(provider)));
      return { generatedAt: new Date().toISOString(), totals: totals(overviews, activity, only === undefined), providers: overviews };
    });
  });
};

/**
 * How long an overview answers every request for it: a home page open on many screens, each reading it every few
 * seconds, costs the database one read a second whatever their number; its counts are a second behind anyway.
 */
const OVERVIEW_FRESH_MS = 1_000;

interface CollectionTable {
  name: string;
  inventory: string;
  link: boolean;
}

function providerOverview(provider: ProviderSummary, activity: FleetActivity, collections: readonly CollectionTable[]): ProviderOverview {
  const counts = activity.counts.get(provider.id);
  return {
    id: provider.id, name: provider.name, type: provider.type, status: providerStatus(provider),
    lastRefreshAt: iso(provider.lastRefreshAt), lastRefreshSuccessAt: iso(provider.lastRefreshSuccessAt), lastRefreshError: provider.lastRefreshError,
    collections: collections.map((collection) => ({ ...collection, ...countView(collection.inventory, counts?.get(collection.inventory) ?? emptyTableCount()) })),
    eventsLastHour: activity.eventsLastHour.get(provider.id) ?? 0,
    workers: healthView(activity.workers.get(provider.id) ?? emptyWorkerHealth()),
  };
}

/** The sums over the providers shown; the shared workers count in the fleet's totals, not in one provider's. */
function totals(providers: readonly ProviderOverview[], activity: FleetActivity, wholeFleet: boolean): FleetOverviewView['totals'] {
  const byStatus = { all: providers.length, ok: 0, error: 0, never: 0, disabled: 0 };
  const tables = new Map<string, TableCountView>();
  const workers = wholeFleet ? healthView(activity.workers.get('') ?? emptyWorkerHealth()) : healthView(emptyWorkerHealth());
  for (const provider of providers) {
    byStatus[provider.status] += 1;
    for (const collection of provider.collections) {
      const sum = tables.get(collection.inventory) ?? countView(collection.inventory, emptyTableCount());
      tables.set(collection.inventory, sum);
      sum.count += collection.count;
      sum.archived += collection.archived;
      for (const [state, count] of Object.entries(collection.states)) sum.states[state] = (sum.states[state] ?? 0) + count;
      if (collection.countedAt !== null && (sum.countedAt === null || collection.countedAt < sum.countedAt)) sum.countedAt = collection.countedAt;
    }
    for (const key of ['running', 'starting', 'stopping', 'stoppedLastHour'] as const) workers[key] += provider.workers[key];
    const heartbeat = provider.workers.oldestHeartbeatAt;
    if (heartbeat !== null && (workers.oldestHeartbeatAt === null || heartbeat < workers.oldestHeartbeatAt)) workers.oldestHeartbeatAt = heartbeat;
  }
  const eventsLastHour = providers.reduce((sum, provider) => sum + provider.eventsLastHour, 0);
  return { providers: byStatus, collections: [...tables.values()], eventsLastHour, workers };
}

function countView(inventory: string, count: TableCount): TableCountView {
  return { inventory, count: count.count, archived: count.archived, states: { ...count.states }, countedAt: iso(count.countedAt) };
}

function healthView(health: WorkerHealth): ProviderOverview['workers'] {
  return { ...health, oldestHeartbeatAt: iso(health.oldestHeartbeatAt) };
}
