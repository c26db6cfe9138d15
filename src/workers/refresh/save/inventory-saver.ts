import type { Client, ClientBase } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../../logging/logger';
import type { Inventory } from '../../../core/inventory/inventory';
import type { RefreshScope } from '../../../core/refresh/refresh-scope';
import { CollectionSave, type SaveContext } from './collection-save';
import { lookUpAll, type PendingLookups } from './pending-lookups';
import { planSaveOrder } from './save-order';
import type { SaveResult } from './save-result';
import { copyLines } from '../../../db/sql';
import { markBroken, openRefreshConnection, type RefreshConnections } from './refresh-connection';

/** Serializes refreshes of one provider across processes (two-key advisory lock: this namespace, the provider). */
export const REFRESH_LOCK_NAMESPACE = 1873;
/** The lock's two keys: this namespace and the provider id folded into 31 bits (two providers sharing a key only take turns). */
const LOCK_KEY = '$1, ($2::bigint % 2147483647)::int';

export interface InventorySaverOptions {
  dataSource: DataSource;
  providerId: string;
  scope: RefreshScope;
  /** The inventory the parser is filling; it is read only when `save()` runs. */
  inventory: Inventory;
  logger: Logger;
  /** Where a worker keeps its connection between refreshes; without it, the refresh opens and closes its own. */
  connections?: RefreshConnections;
}

type PhaseTimings = { prepareMs: number; writeMs: number; removeMs: number };

/**
 * Writes one refresh's inventory. `open()` takes the provider's refresh lock on a connection of its own (so a crash
 * anywhere releases it); `save()` then writes everything in one transaction, so a crash leaves either the old or the new
 * inventory: prepare every collection in save order (keys, stored rows, ids), look up what memory cannot resolve,
 * write inserts and changed rows in save order, remove what is gone in reverse order, record each change.
 */
export class InventorySaver {
  private readonly saves: CollectionSave[];
  private readonly backEdges: boolean;
  private closed = false;

  private constructor(
    private readonly client: Client,
    private readonly options: InventorySaverOptions,
  ) {
    const { order, backEdges } = planSaveOrder(options.inventory.all());
    const context: SaveContext = {
      client, providerId: options.providerId, scope: options.scope, logger: options.logger, saves: new Map(),
    };
    this.saves = order.map((collection) => new CollectionSave(collection, context));
    for (const save of this.saves) context.saves.set(save.name, save);
    this.backEdges = backEdges.size > 0;
  }

  /**
   * Connects and waits for the provider's refresh lock, before the collector starts: a second refresh of the same
   * provider waits here and then collects what the first one left, instead of racing it.
   */
  static async open(options: InventorySaverOptions): Promise<InventorySaver> {
    const { connections } = options;
    for (let attempt = 1; ; attempt += 1) {
      const client = connections ? await connections.take() : await openRefreshConnection(options.dataSource, options.logger);
      try {
        await client.query(`SELECT pg_advisory_lock(${LOCK_KEY})`, [REFRESH_LOCK_NAMESPACE, options.providerId]);
        return new InventorySaver(client, options);
      } catch (error: unknown) {
        await client.end().catch(() => undefined);
        // A kept connection that the server closed while it idled fails at once: a new one is tried, once.
        if (!connections || attempt > 1) throw error;
      }
    }
  }

  async save(refreshRunId: string, beforeCommit?: (client: ClientBase, result: SaveResult) => Promise<void>): Promise<SaveResult> {
    const { client, saves } = this;
    const { providerId, logger } = this.options;
    await client.query('BEGIN');
    try {
      // References that close a cycle point at rows written later in this transaction.
      if (this.backEdges) await client.query('SET CONSTRAINTS ALL DEFERRED');
      const timings = new Map<string, PhaseTimings>(saves.map((save) => [save.name, { prepareMs: 0, writeMs: 0, removeMs: 0 }]));
      const timed = async <T>(save: CollectionSave, phase: keyof PhaseTimings, action: () => Promise<T>): Promise<T> => {
        const started = performance.now();
        try {
          return await action();
        } finally {
          (timings.get(save.name) as PhaseTimings)[phase] += Math.round(performance.now() - started);
        }
      };
      for (const save of saves) await timed(save, 'prepareMs', () => save.prepare());
      // One query per referenced collection and index for everything memory could not resolve.
      if (!saves.every((save) => save.index.fullyKnown)) await lookUpAll(client, providerId, mergeLookups(saves));

      let writes = 0;
      for (const save of saves) writes += await timed(save, 'writeMs', () => save.write());
      for (const save of [...saves].reverse()) writes += await timed(save, 'removeMs', () => save.removeGone());
      for (const save of saves) {
        save.unresolved.report(logger, save.name);
        logger.debug({ event: 'refresh.collection_saved', collection: save.name, ...save.counts, ...timings.get(save.name) }, 'collection saved');
      }
      const historyStarted = performance.now();
      await copyLines(client, 'inventory_changes (refresh_run_id, ordinal, provider_id, collection, ref, kind, changed_fields)', (function* () {
        let ordinal = 0;
        for (const save of saves) for (const change of save.changeLines()) yield `${refreshRunId}\t${(ordinal += 1)}\t${providerId}\t${change}`;
      })());
      const historyMs = Math.round(performance.now() - historyStarted);

      const result: SaveResult = { collections: {}, writes };
      for (const save of saves) {
        result.collections[save.name] = save.incomplete === null ? save.counts : { ...save.counts, incomplete: save.incomplete };
      }
      await beforeCommit?.(client, result);
      const commitStarted = performance.now();
      await client.query('COMMIT');
      const totals: PhaseTimings = { prepareMs: 0, writeMs: 0, removeMs: 0 };
      for (const timing of timings.values()) for (const phase of Object.keys(totals) as (keyof PhaseTimings)[]) totals[phase] += timing[phase];
      logger.debug({ event: 'refresh.saved', writes, ...totals, historyMs, commitMs: Math.round(performance.now() - commitStarted) }, 'inventory saved');
      return result;
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        markBroken(client);
        logger.error({ err: rollbackError }, 'rollback failed');
      });
      throw error;
    }
  }

  /**
   * Releases the lock, and the connection: back to the worker's keeper when the lock came off cleanly, closed otherwise
   * (ending the session releases its advisory lock). Safe to call more than once, and after a failure.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const { client, options } = this;
    const { connections } = options;
    if (!connections) return client.end();
    const unlocked = await client.query<{ unlocked: boolean }>(`SELECT pg_advisory_unlock(${LOCK_KEY}) AS unlocked`, [REFRESH_LOCK_NAMESPACE, options.providerId])
      .then((result) => result.rows[0]?.unlocked === true, () => false);
    if (!unlocked) markBroken(client);
    await connections.giveBack(client);
  }
}

/** The lookups every collection still needs, merged per target collection and index. */
function mergeLookups(saves: CollectionSave[]): PendingLookups {
  const merged: PendingLookups = new Map();
  for (const save of saves) {
    for (const [target, byIndex] of save.pendingLookups()) {
      let into = merged.get(target);
      if (!into) merged.set(target, (into = new Map()));
      for (const [index, keys] of byIndex) {
        const set = into.get(index) ?? new Set<string>();
        for (const key of keys) set.add(key);
        into.set(index, set);
      }
    }
  }
  return merged;
}
