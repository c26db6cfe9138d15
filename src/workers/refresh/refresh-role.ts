import { OperationsQueue } from '../../queues/operations-queue';
import { RefreshQueue } from '../../queues/refresh-queue';
import { startOperationsWorker } from '../operations/operations-worker';
import { stoppable } from '../../core/lifecycle/stoppable';
import type { WorkerRole } from '../worker-role';
import { refreshProvider } from './refresh-provider';
import { RefreshConnections } from './save/refresh-connection';
import { startRefreshWorker } from './refresh-worker';
import { waitForStartingCatcher } from './catcher-stream-start';
import { CountKeeper } from './count-keeper';

/** How long a refresh worker waits for its provider's starting event catcher before its start-up refresh. */
const CATCHER_START_WAIT_MS = 15_000;

/**
 * A provider's refresh worker, which every enabled provider has: consumes its refresh queue, one refresh at a time,
 * and its operations queue (see startOperationsWorker).
 */
export const refreshRole: WorkerRole<'refresh'> = {
  perProvider: true,
  crashKey: 'workerCrashes',
  queueName: (providerId) => RefreshQueue.queueName(providerId),
  wanted: () => true,
  async start(context, { providerId, logger }) {
    const { config } = context;
    const dataSource = await context.dataSource();
    const store = await context.store();
    const queue = await context.refreshQueue();
    // What a predecessor that died mid-refresh had taken goes back in line (its run is closed by the next refresh).
    const requeued = await queue.requeueClaims(providerId);
    if (requeued > 0) logger.warn({ event: 'worker.requeued_interrupted', requeued }, 'an interrupted refresh will run again');
    // A provider's refresh worker starts with a full refresh (merged with whatever is pending): once the provider's
    // event catcher, if it is starting, has started its stream and asked for its own, so that one refresh runs.
    await waitForStartingCatcher(dataSource, providerId, CATCHER_START_WAIT_MS);
    await queue.queueRefresh(providerId, { targets: [], source: 'startup' });
    const connections = new RefreshConnections(dataSource, logger);
    const counts = new CountKeeper(dataSource, providerId, async () => store.typeOf((await store.get(providerId)).type).inventory, logger);
    counts.countAll();
    const worker = startRefreshWorker({
      queue, providerId, connection: queue.connection, prefix: config.redisPrefix, logger,
      // The queue folds requests past the threshold into a full refresh; targets handed back by a partial refresh
      // come on top and must not fold again (see RefreshQueue.handBack).
      refresh: ({ targets, source, onProgress }) => refreshProvider({
        dataSource, store, logger, provider: providerId, targets, source, fullThreshold: Number.POSITIVE_INFINITY, onProgress, connections,
        timeoutMsOf: (type) => (config.refreshTimeoutsByType[type] ?? config.refreshTimeoutMinutes) * 60_000,
      }).then((outcome) => {
        counts.refreshed(outcome);
        return outcome;
      }),
      databaseAnswers: () => dataSource.query('SELECT 1').then(() => true, () => false),
    });
    // The provider's operations run in its refresh worker's process too: it has the provider's connection ready.
    const operationsQueue = new OperationsQueue({ connection: queue.connection, prefix: config.redisPrefix });
    const operations = await startOperationsWorker({
      dataSource, store, refreshQueue: queue, logger, providerId, queue: operationsQueue, connection: queue.connection, prefix: config.redisPrefix,
    });
    const stop = stoppable(async (force) => {
      await Promise.all([worker.stop({ force }), operations.stop({ force })]);
      await operationsQueue.close();
      await counts.stop();
      await connections.close();
    });
    // An operation's handler that ignores its deadline fails the worker: its replacement starts clean.
    return { stop: (options) => stop.stop(options), failed: operations.failed };
  },
};
