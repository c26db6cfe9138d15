import type { ClientBase } from 'pg';
import type { DataSource } from 'typeorm';
import { describeError, NotFoundError, RefreshTimedOutError, UserError } from '../../errors';
import { logFailure } from '../../logging/connection-outage-log';
import { childLogger, type Logger } from '../../logging/logger';
import { Provider, RefreshRun, type RefreshSource, type RefreshStats, type RefreshStatus } from '../../models';
import { isIncomplete, type AnyProvider } from '../../providers/provider';
import type { ProviderStore } from '../../providers/provider-store';
import { Inventory } from '../../core/inventory/inventory';
import type { ProgressListener, RefreshProgress } from '../../core/refresh/refresh-progress';
import { untilAborted } from '../../core/lifecycle/until-aborted';
import { INTERRUPTED_RUN_ERROR, type RefreshOutcome } from '../../core/refresh/refresh-outcome';
import { checkTargetCollections, fullThresholdFor, scopeFor, type RefreshScope, type RefreshTarget } from '../../core/refresh/refresh-scope';
import { InventorySaver } from './save/inventory-saver';
import type { RefreshConnections } from './save/refresh-connection';
import { resolveTargetAliases } from './target-aliases';
import type { SaveResult } from './save/save-result';

export interface RefreshRequest {
  dataSource: DataSource;
  store: ProviderStore;
  logger: Logger;
  /** Provider id or name. */
  provider: string;
  targets?: RefreshTarget[];
  source: RefreshSource;
  fullThreshold: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
  /** A worker's connection kept between its refreshes (see RefreshConnections); without it, the refresh opens its own. */
  connections?: RefreshConnections;
  /**
   * The refresh's deadline in ms, for the provider's type: past it the refresh is aborted wherever it is (a collector
   * that ignores the abort is left behind) and recorded as timed out, nothing of it kept. None without it.
   */
  timeoutMsOf?: (type: string) => number;
}

/**
 * Runs one refresh of one provider: setup if needed, collect and parse page by page, then save in one transaction
 * that also records the refresh run and the provider's last refresh fields. A failure before or during saving
 * leaves the stored inventory as it was and is recorded on the run and the provider.
 */
export async function refreshProvider(request: RefreshRequest): Promise<RefreshOutcome> {
  const { dataSource, store } = request;
  const provider = await store.get(request.provider);
  if (!provider.enabled) throw new UserError(`provider "${provider.name}" is disabled`);
  const logger = childLogger(request.logger, { providerId: provider.id, provider: provider.name });
  const { inventory: definition, targetable, targetedRefreshLimit } = store.typeOf(provider.type);
  checkTargetCollections(request.targets ?? [], Object.keys(definition));
  const scope = scopeFor(request.targets, fullThresholdFor(request.fullThreshold, targetedRefreshLimit), targetable);
  const inventory = new Inventory(dataSource, definition);
  const scopes = await resolveTargetAliases(dataSource, provider.id, definition, scope);
  // The run is recorded once the provider's refresh lock is held (see recordStart).
  const saver = await InventorySaver.open({ dataSource, providerId: provider.id, scope: scopes.save, inventory, logger, connections: request.connections });
  const run = await recordStart(dataSource, { providerId: provider.id, scope, source: request.source }, logger).catch(async (error: unknown) => {
    await saver.close();
    throw error;
  });
  const durationsMs = { collect: 0, parse: 0, persist: 0 };
  const started = performance.now();
  const timeoutMs = request.timeoutMsOf?.(provider.type);
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const signal = anyOf(request.signal, deadline);
  let phase: RefreshProgress['phase'] = 'setup';
  const progress: ProgressListener = (reached) => {
    phase = reached.phase;
    request.onProgress?.(reached);
  };
  logger.info({ event: 'refresh.started', refreshRunId: run.id, scope: scope.kind }, 'refresh started');

  try {
    progress({ phase: 'setup', built: {} });
    // Built and set up inside the try: a type that cannot build the provider, or a failing setup (recorded on the
    // provider by ready()), fails this refresh like any other failure, and only this provider's.
    const instance = await untilAborted(store.ready(provider, logger), deadline);

    phase = 'collect';
    await collectInto(inventory, { instance, scope: scopes.collect, logger, request: { ...request, signal, onProgress: progress }, deadline, durationsMs });
    durationsMs.collect = performance.now() - started - durationsMs.parse;
    // Past this point the refresh is the fleet's own writing, in one transaction: it finishes.
    signal?.throwIfAborted();
    // Counted before saving, which lets go of the built objects as it writes them.
    const built = builtCounts(inventory);
    progress({ phase: 'persist', built });

    const persistStarted = performance.now();
    let outcome: RefreshOutcome | undefined;
    await saver.save(run.id, async (client, result) => {
      durationsMs.persist = performance.now() - persistStarted;
      outcome = buildOutcome(run.id, provider.id, scope, result, roundDurations(durationsMs));
      await recordOutcome(client, outcome, scope);
    });
    const done = outcome as RefreshOutcome;
    // The run was recorded inside the transaction; the commit (where deferred key checks run) counts too.
    done.stats.durationsMs.persist = Math.round(performance.now() - persistStarted);
    await recordPersistDuration(dataSource, done, logger);
    request.onProgress?.({ phase: 'done', built });
    logger.info({ event: 'refresh.finished', refreshRunId: run.id, status: done.status, writes: done.writes, durationsMs: done.stats.durationsMs }, 'refresh finished');
    return done;
  } catch (error: unknown) {
    // Deleted while it ran (its rows, the run's included, went with it): an end the operator asked for, not a failure.
    if (await providerDeleted(dataSource, provider.id)) {
      logger.info({ event: 'refresh.provider_deleted', refreshRunId: run.id }, 'refresh abandoned: the provider was deleted meanwhile');
      throw new NotFoundError(`provider "${provider.name}" was deleted during its refresh`, { cause: error });
    }
    if (deadline?.aborted) {
      const message = `timed out: the refresh passed its deadline of ${formatDeadline(timeoutMs as number)} in its ${phase} phase; nothing of it was kept`;
      logger.warn({ event: 'refresh.timed_out', refreshRunId: run.id, phase }, message);
      await recordFailure(dataSource, { runId: run.id, providerId: provider.id, scope, status: 'timed_out', message, durationsMs: roundDurations(durationsMs) }, logger);
      throw new RefreshTimedOutError(message, { cause: error });
    }
    const message = describeError(error);
    logFailure(logger, { event: 'refresh.failed', refreshRunId: run.id }, 'refresh failed', error);
    await recordFailure(dataSource, { runId: run.id, providerId: provider.id, scope, status: 'failed', message, durationsMs: roundDurations(durationsMs) }, logger);
    throw error;
  } finally {
    // The built objects (and their spill files) go whether the save wrote them or the refresh failed.
    inventory.release();
    await saver.close();
  }
}

/**
 * Records the run as started, with the provider's refresh lock held. Runs are recorded only under that lock, so a run
 * of the provider still 'running' now was interrupted: its process or its database connection went away (the lock
 * with it) before it could record how it ended. Left as it is, it would look in progress forever and keep the
 * scheduler away from the provider. One statement (atomic as it is), as every event-driven run pays for it.
 */
async function recordStart(
  dataSource: DataSource,
  start: { providerId: string; scope: RefreshScope; source: RefreshSource },
  logger: Logger,
): Promise<{ id: string }> {
  const { providerId, scope, source } = start;
  // The targets as named; the states events observed for them are the collector's alone.
  const targets = scope.kind === 'targeted' ? scope.targets.map(({ collection, ref }) => ({ collection, ref })) : [];
  const [row]: { id: string; interrupted: number }[] = await dataSource.query(
    `WITH interrupted AS (
       UPDATE refresh_runs SET status = 'failed', finished_at = now(), error = $5 WHERE provider_id = $1 AND status = 'running' RETURNING 1
     )
     INSERT INTO refresh_runs (provider_id, kind, targets, source, status) VALUES ($1, $2, $3, $4, 'running')
     RETURNING id, (SELECT count(*) FROM interrupted)::int AS interrupted`,
    [providerId, scope.kind, JSON.stringify(targets), source, INTERRUPTED_RUN_ERROR],
  );
  if (row.interrupted > 0) logger.warn({ event: 'refresh.interrupted_runs_closed', runs: row.interrupted }, 'runs left running by an interrupted refresh marked failed');
  return { id: String(row.id) };
}

/** Feeds the collector's pages to the parser, noting incomplete collections; parse time is measured apart. */
async function collectInto(
  inventory: Inventory,
  { instance, scope, logger, request, deadline, durationsMs }: {
    instance: AnyProvider; scope: RefreshScope; logger: Logger; request: RefreshRequest; deadline: AbortSignal | undefined; durationsMs: RefreshStats['durationsMs'];
  },
): Promise<void> {
  const items = instance.collect(scope, request.signal)[Symbol.asyncIterator]();
  try {
    for (;;) {
      // Raced with the deadline: a collector that ignores the signal must not hold the refresh past it. (An abort
      // of the caller's is the collector's to end, with its own words.)
      const next = await untilAborted(items.next(), deadline);
      if (next.done) break;
      const item = next.value;
      if (isIncomplete(item)) {
        inventory.markIncomplete(item.incomplete, item.reason);
        logger.warn({ event: 'refresh.collection_incomplete', collections: item.incomplete, reason: item.reason }, 'collection incomplete');
        continue;
      }
      const parseStarted = performance.now();
      instance.parse(item, inventory.collections);
      durationsMs.parse += performance.now() - parseStarted;
      request.onProgress?.({ phase: 'collect', built: builtCounts(inventory) });
    }
  } catch (error: unknown) {
    // Told to finish, not awaited: a collector stuck in its own await may never get to.
    items.return?.().catch(() => undefined);
    throw error;
  }
}

/** The signal that aborts when any of the given ones does; undefined without any. */
function anyOf(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

function formatDeadline(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

/**
 * The run and provider were recorded inside the refresh's transaction; the persist time measured after its commit
 * (where deferred key checks run) replaces the one recorded before it, and the run ends now, so that its time
 * covers its phases. Failing here must not turn a committed refresh into a failed one.
 */
async function recordPersistDuration(dataSource: DataSource, outcome: RefreshOutcome, logger: Logger): Promise<void> {
  const persist = outcome.stats.durationsMs.persist;
  await dataSource.query(
    `WITH run AS (
       UPDATE refresh_runs SET persist_ms = $2, stats = jsonb_set(stats, '{durationsMs,persist}', to_jsonb($2::int)), finished_at = now() WHERE id = $1
     )
     UPDATE providers SET last_refresh_stats = jsonb_set(last_refresh_stats, '{durationsMs,persist}', to_jsonb($2::int))
      WHERE id = $3 AND last_refresh_stats->>'refreshRunId' = $1::text`,
    [outcome.refreshRunId, persist, outcome.providerId],
  ).catch((error: unknown) => logger.warn({ event: 'refresh.bookkeeping_failed', refreshRunId: outcome.refreshRunId, err: error }, 'could not record the persist duration'));
}

/** Marks the run failed (or timed out) and records the error on the provider; a failure to record is logged, not thrown. */
async function recordFailure(
  dataSource: DataSource,
  failure: { runId: string; providerId: string; scope: RefreshScope; status: 'failed' | 'timed_out'; message: string; durationsMs: RefreshStats['durationsMs'] },
  logger: Logger,
): Promise<void> {
  const { runId, providerId, scope, status, message, durationsMs } = failure;
  await dataSource.transaction(async (manager) => {
    await manager.update(RefreshRun, { id: runId }, {
      status, finishedAt: new Date(), error: message, collectMs: durationsMs.collect, parseMs: durationsMs.parse, persistMs: durationsMs.persist,
    });
    const now = new Date();
    await manager.update(Provider, { id: providerId }, {
      lastRefreshAt: now, lastRefreshError: message, ...(scope.kind === 'full' ? { lastFullRefreshAt: now } : {}),
    });
  }).catch((error: unknown) => logger.error({ event: 'refresh.record_failure_failed', refreshRunId: runId, err: error }, 'could not record the failed refresh'));
}

function buildOutcome(refreshRunId: string, providerId: string, scope: RefreshScope, result: SaveResult, durationsMs: RefreshStats['durationsMs']): RefreshOutcome {
  const incomplete = Object.entries(result.collections).filter(([, counts]) => counts.incomplete !== undefined);
  const status: RefreshStatus = incomplete.length > 0 ? 'partial' : 'ok';
  const error = incomplete.length > 0 ? `incomplete: ${incomplete.map(([name, counts]) => `${name} (${counts.incomplete})`).join('; ')}` : null;
  return {
    refreshRunId, providerId, status, scope: scope.kind, writes: result.writes, error,
    stats: { refreshRunId, kind: scope.kind, status, durationsMs, collections: result.collections },
  };
}

async function recordOutcome(client: ClientBase, outcome: RefreshOutcome, scope: RefreshScope): Promise<void> {
  const { collect, parse, persist } = outcome.stats.durationsMs;
  await client.query(
    // clock_timestamp(), not now(): now() is when the refresh's transaction began, before anything was written.
    `UPDATE refresh_runs SET status = $2, finished_at = clock_timestamp(), collect_ms = $3, parse_ms = $4, persist_ms = $5, stats = $6, error = $7 WHERE id = $1`,
    [outcome.refreshRunId, outcome.status, collect, parse, persist, JSON.stringify(outcome.stats), outcome.error],
  );
  const full = outcome.scope === 'full';
  // In the same statement (every event-driven run pays for each round trip): the succeeded operations this refresh
  // shows the outcome of, those on its objects that ended before it began collecting, note when their inventory
  // showed it. Whichever refresh that is (the operation's own, an event's, a full one) counts.
  const shownRefs = scope.kind === 'targeted' ? scope.targets.map((target) => target.ref) : null;
  await client.query(
    `WITH shown AS (
       UPDATE tasks SET inventory_shown_at = clock_timestamp()
        WHERE provider_id = $1 AND state = 'succeeded' AND inventory_shown_at IS NULL
          AND finished_at <= (SELECT started_at FROM refresh_runs WHERE id = $7) AND ($6::text[] IS NULL OR object_ref = ANY($6))
     )
     UPDATE providers SET last_refresh_at = now(), last_refresh_error = $2, last_refresh_stats = $3,
       last_refresh_success_at = CASE WHEN $4 THEN now() ELSE last_refresh_success_at END,
       last_full_refresh_at = CASE WHEN $5 THEN now() ELSE last_full_refresh_at END,
       last_full_refresh_success_at = CASE WHEN $4 AND $5 THEN now() ELSE last_full_refresh_success_at END,
       updated_at = now() WHERE id = $1`,
    [outcome.providerId, outcome.error, JSON.stringify(outcome.stats), outcome.status === 'ok', full, shownRefs, outcome.refreshRunId],
  );
}

function builtCounts(inventory: Inventory): Record<string, number> {
  return Object.fromEntries(inventory.all().map((c) => [c.name, c.size]));
}

function roundDurations(d: RefreshStats['durationsMs']): RefreshStats['durationsMs'] {
  return { collect: Math.round(d.collect), parse: Math.round(d.parse), persist: Math.round(d.persist) };
}

async function providerDeleted(dataSource: DataSource, providerId: string): Promise<boolean> {
  const found: unknown[] = await dataSource.query('SELECT 1 FROM providers WHERE id = $1', [providerId]);
  return found.length === 0;
}
