import type { DataSource } from 'typeorm';
import { ident } from '../../db/sql';

/** A table whose rows are followed by id: how to find where to start, read rows, and tell a finished one. */
export interface FollowedTable<Row extends { id: string }> {
  /** Where following starts: the highest id now, and the ids up to it whose rows are not finished yet. */
  start(): Promise<{ maxId: string | null; unfinishedIds: string[] }>;
  /** Rows in id order: those among `ids`, and the first `limit` with an id above `afterId`. */
  read(afterId: string, ids: readonly string[], limit: number): Promise<Row[]>;
  /** Whether a row is done changing (a finished refresh run, a stopped worker); an event is at once. */
  finished(row: Row): boolean;
}

export interface RowFollowerOptions<Row extends { id: string }> {
  table: FollowedTable<Row>;
  /**
   * How long an id that was skipped over is looked for again. Ids are taken when rows are inserted but become
   * visible when their transaction commits, so a lower id can appear after a higher one; ids that never appear
   * were used by a rolled back insert or a conflict (a duplicate event).
   */
  skippedGraceMs?: number;
  /** The most ids looked for again (unfinished rows and skipped ids); beyond it the oldest skipped ids are given up. */
  maxFollowed?: number;
  /** The most new rows taken at once; a larger backlog is caught up over the next calls. */
  batchSize?: number;
  now?: () => number;
}

/**
 * Follows a table with a bigint id that only grows, so that each row is taken once when it is finished, reading
 * only rows above the highest id seen and the few ids still followed: both by primary key, however large the
 * table. The first call only sets the starting point (rows already there are history, not news) and takes nothing.
 */
export class RowFollower<Row extends { id: string }> {
  private readonly table: FollowedTable<Row>;
  private readonly skippedGraceMs: number;
  private readonly maxFollowed: number;
  private readonly batchSize: number;
  private readonly now: () => number;
  private highest: bigint | undefined;
  /** Rows seen unfinished, at or below `highest`. */
  private readonly unfinished = new Set<string>();
  /** Ids at or below `highest` not seen yet, with when they were first missed (insertion order: oldest first). */
  private readonly skipped = new Map<string, number>();

  constructor(options: RowFollowerOptions<Row>) {
    this.table = options.table;
    this.skippedGraceMs = options.skippedGraceMs ?? 120_000;
    this.maxFollowed = options.maxFollowed ?? 10_000;
    this.batchSize = options.batchSize ?? 20_000;
    this.now = options.now ?? Date.now;
    if (this.maxFollowed < 1) throw new Error('maxFollowed must be at least 1');
    if (this.batchSize < 1) throw new Error('batchSize must be at least 1');
  }

  /** The rows that finished since the last call, each once. */
  async take(): Promise<Row[]> {
    if (this.highest === undefined) {
      const { maxId, unfinishedIds } = await this.table.start();
      this.highest = BigInt(maxId ?? 0);
      for (const id of unfinishedIds) this.unfinished.add(id);
      return [];
    }
    const now = this.now();
    const previouslyUnfinished = [...this.unfinished];
    const rows = await this.table.read(String(this.highest), [...previouslyUnfinished, ...this.skipped.keys()], this.batchSize);
    const seen = new Set<string>();
    let highest = this.highest;
    const finished: Row[] = [];
    for (const row of rows) {
      seen.add(row.id);
      const id = BigInt(row.id);
      if (id > highest) {
        this.noteSkipped(highest + 1n, id, now);
        highest = id;
      }
      this.skipped.delete(row.id);
      if (this.table.finished(row)) {
        this.unfinished.delete(row.id);
        finished.push(row);
      } else {
        this.unfinished.add(row.id);
      }
    }
    this.highest = highest;
    // An unfinished row that is no longer there was deleted (with its provider): nothing to wait for.
    for (const id of previouslyUnfinished) if (!seen.has(id)) this.unfinished.delete(id);
    for (const [id, since] of this.skipped) if (now - since > this.skippedGraceMs) this.skipped.delete(id);
    for (const id of this.skipped.keys()) {
      if (this.unfinished.size + this.skipped.size <= this.maxFollowed) break;
      this.skipped.delete(id);
    }
    return finished;
  }

  /** Notes the ids from `from` up to (not including) `to` as skipped, unless they are too many to be commit order. */
  private noteSkipped(from: bigint, to: bigint, now: number): void {
    // A jump of the sequence (or a burst of conflicts) larger than what is followed at all is not looked for.
    if (to - from > BigInt(this.maxFollowed)) return;
    for (let id = from; id < to; id += 1n) this.skipped.set(String(id), now);
  }
}

/**
 * The `read` of a followed table: `columns` of the rows among `ids` and of the first `limit` rows above `afterId`,
 * in id order, each part found by the primary key.
 */
export function readFollowedRows<Row extends { id: string }>(
  dataSource: DataSource, table: string, columns: string, afterId: string, ids: readonly string[], limit: number,
): Promise<Row[]> {
  // The id stays a bigint in SQL, so it sorts as a number (node-postgres hands bigints over as strings).
  return dataSource.query(
    `SELECT * FROM (
       SELECT id, ${columns} FROM ${ident(table)} WHERE id = ANY($2::bigint[])
       UNION ALL
       (SELECT id, ${columns} FROM ${ident(table)} WHERE id > $1::bigint ORDER BY id LIMIT $3)
     ) followed ORDER BY id`,
    [afterId, ids, limit],
  );
}

/** The `start` of a table whose rows are finished once inserted: its highest id. */
export async function highestId(dataSource: DataSource, table: string): Promise<string | null> {
  const [row]: { max: string | null }[] = await dataSource.query(`SELECT max(id)::text AS max FROM ${ident(table)}`);
  return row?.max ?? null;
}
