import type { DataSource, EntityMetadata } from 'typeorm';
import type { InventoryDefinition } from '../../core/inventory/inventory-definition';
import type { RefreshOutcome } from '../../core/refresh/refresh-outcome';
import { recountInventory } from '../../db/inventory-recount';
import { ConnectionOutageLog } from '../../logging/connection-outage-log';
import type { Logger } from '../../logging/logger';

/** How long after a change the counts are taken: the changes of a burst of events are counted once. */
const RECOUNT_DELAY_MS = 1_000;

/** Stands for every collection of the provider among those to count. */
const ALL = '*';

/**
 * Keeps one provider's inventory counts (inventory_counts) current: the collections a refresh wrote to are counted
 * again at most RECOUNT_DELAY_MS later, out of the refresh's way (counting a million rows takes longer than an
 * event-driven refresh), and once per burst of refreshes. A failed count (the database away) is logged and tried
 * again a delay later; the counts lag meanwhile, and the inventory itself is untouched.
 */
export class CountKeeper {
  private tables: Promise<ReadonlyMap<string, EntityMetadata>> | null = null;
  /** Collection names, or ALL. */
  private readonly changed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private counting: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly failures: ConnectionOutageLog;

  constructor(
    private readonly dataSource: DataSource,
    private readonly providerId: string,
    /** The provider type's inventory, asked for when first counting (the provider may be gone by then). */
    private readonly inventoryOf: () => Promise<InventoryDefinition>,
    logger: Logger,
  ) {
    this.failures = new ConnectionOutageLog(logger, 'refresh.recount_failed', 'could not count the inventory');
  }

  /** Every collection is counted soon: for a worker that starts, whose provider may have changed meanwhile. */
  countAll(): void {
    this.mark([ALL]);
  }

  /** The collections the refresh wrote to are counted soon. */
  refreshed(outcome: RefreshOutcome): void {
    const written = Object.entries(outcome.stats.collections).filter(([, counts]) => counts.created + counts.updated + counts.deleted > 0);
    this.mark(written.map(([name]) => name));
  }

  /** Counts what is waiting now, and stops counting. */
  async stop(): Promise<void> {
    await this.countNow();
    this.stopped = true;
  }

  private mark(collections: Iterable<string>): void {
    if (this.stopped) return;
    for (const name of collections) this.changed.add(name);
    if (this.changed.size > 0 && this.timer === null) this.timer = setTimeout(() => void this.countNow(), RECOUNT_DELAY_MS);
  }

  private countNow(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const names = [...this.changed];
    this.changed.clear();
    this.counting = this.counting.then(async () => {
      if (names.length === 0) return;
      try {
        const tables = await this.tablesByCollection();
        const counted = names.includes(ALL) ? [...tables.values()] : names.flatMap((name) => tables.get(name) ?? []);
        await recountInventory(this.dataSource, this.providerId, counted);
      } catch (error: unknown) {
        this.failures.report(error);
        this.mark(names);
      }
    });
    return this.counting;
  }

  private tablesByCollection(): Promise<ReadonlyMap<string, EntityMetadata>> {
    if (this.tables === null) {
      this.tables = this.inventoryOf().then((definition) => new Map(
        Object.entries(definition).map(([name, collection]) => [name, this.dataSource.getMetadata(collection.entity)]),
      ));
      // Asked again next time if it failed (the database was away).
      this.tables.catch(() => { this.tables = null; });
    }
    return this.tables;
  }
}
