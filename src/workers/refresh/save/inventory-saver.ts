import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../../logging/logger';
import type { Inventory } from '../inventory/inventory';
import type { RefreshScope } from '../refresh-scope';
import { CollectionSave, type ChangeRow, type SaveContext } from './collection-save';
import { COPY_NULL, escapeCopyText } from './copy-text';
import { planSaveOrder } from './save-order';
import type { SaveResult } from './save-result';
import { copyLines } from './sql';

/** Serializes refreshes of one provider across processes (two-key advisory lock: this namespace, the provider). */
const REFRESH_LOCK_NAMESPACE = 1873;

export interface SaveInventoryOptions {
  dataSource: DataSource;
  providerId: string;
  refreshRunId: string;
  scope: RefreshScope;
  inventory: Inventory;
  logger: Logger;
  /** Runs inside the transaction after the inventory is written, to record the outcome atomically with it. */
  beforeCommit?: (client: PoolClient, result: SaveResult) => Promise<void>;
}

/**
 * Writes a refreshed inventory in one transaction, so a crash leaves either the old or the new inventory: prepare
 * every collection in save order (keys, stored rows, ids), look up what memory cannot resolve, write inserts and
 * changed rows in save order, then remove what is gone in reverse order, and record each change.
 */
export async function saveInventory(options: SaveInventoryOptions): Promise<SaveResult> {
  const { dataSource, providerId, refreshRunId, scope, inventory, logger } = options;
  const runner = dataSource.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2::int)', [REFRESH_LOCK_NAMESPACE, providerId]);
    const { order, backEdges } = planSaveOrder(inventory.all());
    // References that close a cycle point at rows written later in this transaction.
    if (backEdges.size > 0) await client.query('SET CONSTRAINTS ALL DEFERRED');

    const context: SaveContext = { client, providerId, scope, logger, saves: new Map() };
    const saves = order.map((collection) => new CollectionSave(collection, context));
    for (const save of saves) context.saves.set(save.name, save);
    const timings = new Map(saves.map((save) => [save.name, { prepareMs: 0, writeMs: 0, removeMs: 0 }]));
    const timed = async <T>(save: CollectionSave, phase: 'prepareMs' | 'writeMs' | 'removeMs', action: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await action();
      } finally {
        (timings.get(save.name) as Record<typeof phase, number>)[phase] += Math.round(performance.now() - started);
      }
    };
    for (const save of saves) await timed(save, 'prepareMs', () => save.prepare());
    await lookUpUnresolved(saves);

    let writes = 0;
    for (const save of saves) writes += await timed(save, 'writeMs', () => save.write());
    for (const save of [...saves].reverse()) writes += await timed(save, 'removeMs', () => save.removeGone());
    for (const save of saves) {
      save.reportUnresolved();
      logger.debug({ event: 'refresh.collection_saved', collection: save.name, ...save.counts, ...timings.get(save.name) }, 'collection saved');
    }
    const historyStarted = performance.now();
    await recordChanges(client, providerId, refreshRunId, saves.flatMap((s) => s.changes));
    const historyMs = Math.round(performance.now() - historyStarted);

    const result: SaveResult = { collections: {}, writes };
    for (const save of saves) {
      result.collections[save.name] = save.incomplete === null ? save.counts : { ...save.counts, incomplete: save.incomplete };
    }
    await options.beforeCommit?.(client, result);
    const commitStarted = performance.now();
    await client.query('COMMIT');
    const totals = { prepareMs: 0, writeMs: 0, removeMs: 0 };
    for (const timing of timings.values()) for (const phase of Object.keys(totals) as (keyof typeof totals)[]) totals[phase] += timing[phase];
    logger.debug({ event: 'refresh.saved', writes, ...totals, historyMs, commitMs: Math.round(performance.now() - commitStarted) }, 'inventory saved');
    return result;
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch((rollbackError: unknown) => logger.error({ err: rollbackError }, 'rollback failed'));
    throw error;
  } finally {
    await runner.release();
  }
}

/** One query per referenced collection and index for everything memory could not resolve. */
async function lookUpUnresolved(saves: CollectionSave[]): Promise<void> {
  if (saves.every((save) => save.fullyKnown)) return; // a complete full refresh has nothing to look up
  const merged = new Map<CollectionSave, Map<string, Set<string>>>();
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
  for (const [target, byIndex] of merged) for (const [index, keys] of byIndex) await target.lookUp(index, keys);
}

async function recordChanges(client: PoolClient, providerId: string, refreshRunId: string, changes: ChangeRow[]): Promise<void> {
  if (changes.length === 0) return;
  const lines = changes.map((c) => [
    refreshRunId, providerId, escapeCopyText(c.collection), escapeCopyText(c.ref), c.kind,
    c.fields === null ? COPY_NULL : `{${c.fields.join(',')}}`,
  ].join('\t'));
  await copyLines(client, 'inventory_changes (refresh_run_id, provider_id, collection, ref, kind, changed_fields)', lines);
}
