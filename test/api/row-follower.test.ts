import { expect } from 'chai';
import { readFollowedRows, RowFollower, type FollowedTable } from '../../src/server/api/prometheus/row-follower';
import { testEnv } from '../support/test-env';

interface Row {
  id: string;
  done: boolean;
}

/**
 * A table as another session sees it: rows become visible when "committed", in any order, whatever their ids.
 * Records what the follower asked for.
 */
class VisibleRows implements FollowedTable<Row> {
  readonly rows = new Map<number, Row>();
  readonly asked: { afterId: string; ids: string[] }[] = [];

  commit(id: number, done = true): void {
    this.rows.set(id, { id: String(id), done });
  }

  async start(): Promise<{ maxId: string | null; unfinishedIds: string[] }> {
    const ids = [...this.rows.keys()];
    return { maxId: ids.length === 0 ? null : String(Math.max(...ids)), unfinishedIds: [...this.rows.values()].filter((r) => !r.done).map((r) => r.id) };
  }

  async read(afterId: string, ids: readonly string[], limit: number): Promise<Row[]> {
    this.asked.push({ afterId, ids: [...ids] });
    const sorted = [...this.rows.values()].sort((a, b) => Number(a.id) - Number(b.id));
    const followed = sorted.filter((row) => ids.includes(row.id));
    const above = sorted.filter((row) => Number(row.id) > Number(afterId)).slice(0, limit);
    return [...followed, ...above].map((row) => ({ ...row }));
  }

  finished(row: Row): boolean {
    return row.done;
  }
}

const idsOf = (rows: Row[]): number[] => rows.map((row) => Number(row.id));

describe('following a table by id', () => {
  let table: VisibleRows;
  let clock: number;
  const follower = (options: { batchSize?: number; maxFollowed?: number } = {}) => new RowFollower({ table, now: () => clock, skippedGraceMs: 60_000, ...options });

  beforeEach(() => {
    table = new VisibleRows();
    clock = 1_000_000;
  });

  it('starts after the rows already there, then takes each new row once', async () => {
    table.commit(1);
    table.commit(2);
    const rows = follower();
    expect(await rows.take()).to.deep.equal([]);
    table.commit(3);
    table.commit(4);
    expect(idsOf(await rows.take())).to.deep.equal([3, 4]);
    expect(await rows.take()).to.deep.equal([]);
    expect(table.asked[table.asked.length - 1].afterId).to.equal('4');
  });

  it('takes a row whose transaction commits after one with a higher id', async () => {
    const rows = follower();
    await rows.take();
    table.commit(2);
    expect(idsOf(await rows.take())).to.deep.equal([2]);
    // 1 was taken before 2 but commits after it.
    table.commit(1);
    expect(idsOf(await rows.take())).to.deep.equal([1]);
    expect(await rows.take()).to.deep.equal([]);
  });

  it('stops looking for a skipped id after the grace period (a rolled back insert, a duplicate event)', async () => {
    const rows = follower();
    await rows.take();
    table.commit(3);
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal([]);
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal(['1', '2']);
    clock += 61_000;
    await rows.take();
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal([]);
    // Were it to appear now, it is no longer counted: the price of a bounded look-back.
    table.commit(1);
    expect(await rows.take()).to.deep.equal([]);
  });

  it('follows an unfinished row until it finishes, and forgets one that is deleted', async () => {
    table.commit(1, false);
    const rows = follower();
    await rows.take();
    table.commit(2, false);
    table.commit(3);
    expect(idsOf(await rows.take())).to.deep.equal([3]);
    table.commit(1);
    expect(idsOf(await rows.take())).to.deep.equal([1]);
    table.rows.delete(2);
    await rows.take();
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal([]);
  });

  it('catches up with a backlog over several calls, and does not follow ids across a jump of the sequence', async () => {
    const rows = follower({ batchSize: 2, maxFollowed: 5 });
    await rows.take();
    for (const id of [1, 2, 3, 4, 5]) table.commit(id);
    expect(idsOf(await rows.take())).to.deep.equal([1, 2]);
    expect(idsOf(await rows.take())).to.deep.equal([3, 4]);
    expect(idsOf(await rows.take())).to.deep.equal([5]);
    table.commit(1000);
    expect(idsOf(await rows.take())).to.deep.equal([1000]);
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal([]);
  });
});

describe('reading followed rows', () => {
  const table = `followed_rows_test_${process.pid}`;

  before(async () => {
    const { dataSource } = testEnv();
    await dataSource.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, note text NOT NULL)`);
    await dataSource.query(`INSERT INTO ${table} SELECT id, 'row ' || id FROM unnest('{5,9,10,11,100}'::bigint[]) id`);
  });
  after(async () => {
    await testEnv().dataSource.query(`DROP TABLE IF EXISTS ${table}`);
  });

  it('reads the followed ids and the next rows above the highest, by id as a number', async () => {
    const read = (afterId: string, ids: string[], limit: number) => readFollowedRows<{ id: string; note: string }>(testEnv().dataSource, table, 'note', afterId, ids, limit);
    expect(await read('0', [], 3)).to.deep.equal([{ id: '5', note: 'row 5' }, { id: '9', note: 'row 9' }, { id: '10', note: 'row 10' }]);
    expect((await read('9', ['5', '7'], 2)).map((row) => row.id)).to.deep.equal(['5', '10', '11']);
  });
});
