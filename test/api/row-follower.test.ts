import { expect } from 'chai';
import { Client } from 'pg';
import { readFollowedRows, RowFollower, type FollowedTable } from '../../src/api/prometheus/row-follower';
import { testEnv } from '../support/test-env';

interface Row {
  id: string;
  done: boolean;
}

const TABLE = `followed_rows_${process.pid}`;

/**
 * A real table followed the way the fleet's collectors follow theirs (readFollowedRows, by primary key), whose
 * rows the tests insert with the ids they choose, in the order they choose: as another session sees rows whose
 * transactions commit in that order. Records what the follower asked for.
 */
class FollowedRows implements FollowedTable<Row> {
  readonly asked: { afterId: string; ids: string[] }[] = [];

  async commit(id: number, done = true): Promise<void> {
    await testEnv().dataSource.query(`INSERT INTO ${TABLE} (id, done) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET done = excluded.done`, [id, done]);
  }

  async delete(id: number): Promise<void> {
    await testEnv().dataSource.query(`DELETE FROM ${TABLE} WHERE id = $1`, [id]);
  }

  async start(): Promise<{ maxId: string | null; unfinishedIds: string[] }> {
    const [row]: { max_id: string | null; unfinished: string[] }[] = await testEnv().dataSource.query(
      `SELECT (SELECT max(id)::text FROM ${TABLE}) AS max_id, ARRAY(SELECT id::text FROM ${TABLE} WHERE NOT done ORDER BY id) AS unfinished`);
    return { maxId: row.max_id, unfinishedIds: row.unfinished };
  }

  read(afterId: string, ids: readonly string[], limit: number): Promise<Row[]> {
    this.asked.push({ afterId, ids: [...ids] });
    return readFollowedRows<Row>(testEnv().dataSource, TABLE, 'done', afterId, ids, limit);
  }

  finished(row: Row): boolean {
    return row.done;
  }
}

const idsOf = (rows: Row[]): number[] => rows.map((row) => Number(row.id));

describe('following a table by id', () => {
  let table: FollowedRows;
  let clock: number;
  const follower = (options: { batchSize?: number; maxFollowed?: number } = {}) => new RowFollower({ table, now: () => clock, skippedGraceMs: 60_000, ...options });

  beforeEach(async () => {
    await testEnv().dataSource.query(`DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (id bigserial PRIMARY KEY, done boolean NOT NULL DEFAULT true)`);
    table = new FollowedRows();
    clock = 1_000_000;
  });
  after(async () => {
    await testEnv().dataSource.query(`DROP TABLE IF EXISTS ${TABLE}`);
  });

  it('starts after the rows already there, then takes each new row once', async () => {
    await table.commit(1);
    await table.commit(2);
    const rows = follower();
    expect(await rows.take()).to.deep.equal([]);
    await table.commit(3);
    await table.commit(4);
    expect(idsOf(await rows.take())).to.deep.equal([3, 4]);
    expect(await rows.take()).to.deep.equal([]);
    expect(table.asked[table.asked.length - 1].afterId).to.equal('4');
  });

  it('takes a row whose transaction commits after one with a higher id', async () => {
    const rows = follower();
    await rows.take();
    // Two sessions insert through the id sequence: the first takes the lower id and commits last.
    const [first, second] = [new Client({ connectionString: testEnv().databaseUrl }), new Client({ connectionString: testEnv().databaseUrl })];
    await Promise.all([first.connect(), second.connect()]);
    try {
      const insert = async (client: Client): Promise<number> => {
        await client.query('BEGIN');
        const [{ id }] = (await client.query<{ id: string }>(`INSERT INTO ${TABLE} DEFAULT VALUES RETURNING id`)).rows;
        return Number(id);
      };
      const lower = await insert(first);
      const higher = await insert(second);
      expect(higher).to.be.greaterThan(lower);
      await second.query('COMMIT');
      expect(idsOf(await rows.take())).to.deep.equal([higher]);
      await first.query('COMMIT');
      expect(idsOf(await rows.take())).to.deep.equal([lower]);
      expect(await rows.take()).to.deep.equal([]);
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  });

  it('stops looking for a skipped id after the grace period (a rolled back insert, a duplicate event)', async () => {
    const rows = follower();
    await rows.take();
    await table.commit(3);
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal([]);
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal(['1', '2']);
    clock += 61_000;
    await rows.take();
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal([]);
    // Were it to appear now, it is no longer counted: the price of a bounded look-back.
    await table.commit(1);
    expect(await rows.take()).to.deep.equal([]);
  });

  it('follows an unfinished row until it finishes, and forgets one that is deleted', async () => {
    await table.commit(1, false);
    const rows = follower();
    await rows.take();
    await table.commit(2, false);
    await table.commit(3);
    expect(idsOf(await rows.take())).to.deep.equal([3]);
    await table.commit(1);
    expect(idsOf(await rows.take())).to.deep.equal([1]);
    await table.delete(2);
    await rows.take();
    await rows.take();
    expect(table.asked[table.asked.length - 1].ids).to.deep.equal([]);
  });

  it('catches up with a backlog over several calls, and does not follow ids across a jump of the sequence', async () => {
    const rows = follower({ batchSize: 2, maxFollowed: 5 });
    await rows.take();
    for (const id of [1, 2, 3, 4, 5]) await table.commit(id);
    expect(idsOf(await rows.take())).to.deep.equal([1, 2]);
    expect(idsOf(await rows.take())).to.deep.equal([3, 4]);
    expect(idsOf(await rows.take())).to.deep.equal([5]);
    await table.commit(1000);
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
