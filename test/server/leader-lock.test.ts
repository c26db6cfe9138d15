import { expect } from 'chai';
import { connectionConfig } from '../../src/db/connection-config';
import type { LeadershipFence } from '../../src/db/leadership-fence';
import { LeaderLock, type LeaderLockTiming } from '../../src/server/leader-lock';
import { CuttableLink } from '../support/cuttable-link';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** Short, so that the test takes seconds; the defaults keep the same order (heartbeat + deadline < release). */
const TIMING: LeaderLockTiming = { heartbeatMs: 300, roundTripDeadlineMs: 500, releaseAfterMs: 2_000 };
const RETRY_MS = 200;

/** A lock whose acquisitions and losses the test reads. */
function lockOf(name: string, connection: ReturnType<typeof connectionConfig>) {
  const acquired: LeadershipFence[] = [];
  const lost: number[] = [];
  const lock = new LeaderLock({
    connection, retryMs: RETRY_MS, logger: testEnv().logger, holder: name, timing: TIMING,
    onAcquired: (fence) => { acquired.push(fence); },
    onLost: async () => { lost.push(Date.now()); },
  });
  return { lock, acquired, lost };
}

/** Leadership over a real PostgreSQL, with the leader's network cut (not closed) under it. */
describe('leader lock', function () {
  this.timeout(60_000);
  let link: CuttableLink;
  /** The test database's URL through the link. */
  let throughLink: string;
  const locks: LeaderLock[] = [];

  beforeEach(async () => {
    ({ link, url: throughLink } = await CuttableLink.inFrontOf(testEnv().databaseUrl, 5432));
  });
  afterEach(async () => {
    await Promise.all(locks.splice(0).map((lock) => lock.stop()));
    link.mend();
    await link.close();
  });

  it('is lost by a leader whose network is cut, and taken by another within the release time, with a newer generation', async () => {
    const first = lockOf('cut-off', { connectionString: throughLink, application_name: 'provider-fleet-leader-test' });
    locks.push(first.lock);
    first.lock.start();
    await until(() => (first.acquired.length === 1 ? true : undefined), 'the first lock to lead');
    const second = lockOf('direct', connectionConfig(testEnv().dataSource, 'provider-fleet-leader-test'));
    locks.push(second.lock);
    second.lock.start();
    await new Promise((resolve) => setTimeout(resolve, 3 * RETRY_MS));
    expect(second.acquired, 'one leader while the first holds the lock').to.deep.equal([]);

    const cutAt = Date.now();
    link.cutOff();
    await until(() => (first.lost.length === 1 ? true : undefined), 'the cut-off leader to step down');
    expect(first.lost[0] - cutAt, 'steps down within a heartbeat and a deadline').to.be.at.most(TIMING.heartbeatMs + TIMING.roundTripDeadlineMs + 300);
    expect(first.lock.isLeader).to.equal(false);
    await until(() => (second.acquired.length === 1 ? true : undefined), 'the other lock to lead');
    const tookOverMs = Date.now() - cutAt;
    expect(tookOverMs, 'PostgreSQL released the silent session\'s lock').to.be.at.most(TIMING.releaseAfterMs + TIMING.heartbeatMs + RETRY_MS + 1_000);
    expect(BigInt(second.acquired[0].generation)).to.equal(BigInt(first.acquired[0].generation) + 1n);

    // Once the network is back, the first does not lead again while the second holds the lock.
    link.mend();
    await new Promise((resolve) => setTimeout(resolve, 5 * RETRY_MS));
    expect(first.acquired).to.have.length(1);
    expect(second.lock.isLeader).to.equal(true);
  });

  it('steps down when told it was deposed, and leads again at its next try with a new generation', async () => {
    const only = lockOf('resigning', connectionConfig(testEnv().dataSource, 'provider-fleet-leader-test'));
    locks.push(only.lock);
    only.lock.start();
    await until(() => (only.acquired.length === 1 ? true : undefined), 'the lock to lead');
    only.lock.resign('a fenced write was refused');
    expect(only.lock.isLeader).to.equal(false);
    expect(only.lost).to.have.length(1);
    await until(() => (only.acquired.length === 2 ? true : undefined), 'the lock to lead again');
    expect(Number(only.acquired[1].generation)).to.be.greaterThan(Number(only.acquired[0].generation));
  });

  it('refuses a timing in which PostgreSQL could release the lock before its leader notices a cut', () => {
    expect(() => new LeaderLock({
      connection: {}, retryMs: RETRY_MS, logger: testEnv().logger, holder: 'bad', timing: { heartbeatMs: 2_000, roundTripDeadlineMs: 3_000, releaseAfterMs: 4_000 },
      onAcquired: () => undefined, onLost: async () => undefined,
    })).to.throw('before PostgreSQL releases its lock');
  });
});
