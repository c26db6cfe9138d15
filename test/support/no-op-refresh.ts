import { expect } from 'chai';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import { testEnv } from './test-env';

/**
 * A refresh that stores a provider's inventory, then a second one with nothing changed: the second writes zero rows,
 * counts nothing created, updated or deleted, leaves the rows (`snapshot`) exactly as they were and records no change.
 */
export async function expectNoOpReRefresh(refresh: () => Promise<RefreshOutcome>, snapshot: () => Promise<unknown>): Promise<void> {
  const first = await refresh();
  expect(first.status, String(first.error)).to.equal('ok');
  expect(first.writes).to.be.greaterThan(0);
  const before = await snapshot();

  const second = await refresh();
  expect(second.status, String(second.error)).to.equal('ok');
  expect(second.writes).to.equal(0);
  for (const [collection, counts] of Object.entries(second.stats.collections)) {
    expect(counts, collection).to.include({ created: 0, updated: 0, deleted: 0 });
  }
  expect(await snapshot()).to.deep.equal(before);
  const [{ count }] = await testEnv().dataSource.query('SELECT count(*)::int AS count FROM inventory_changes WHERE refresh_run_id = $1', [second.refreshRunId]);
  expect(count).to.equal(0);
}
