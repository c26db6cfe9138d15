import { expect } from 'chai';
import { DEMO_METRICS_INTERVAL_SECONDS } from '../../src/demo-cloud';
import type { MetricsJobData } from '../../src/queues/jobs';
import { captureRound } from '../../src/workers/metrics/capture-round';
import { metricHierarchy } from '../../src/core/metrics/metric-hierarchy';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

const STEP = DEMO_METRICS_INTERVAL_SECONDS;
const HOUR = 3600;
const THRESHOLD = 600;
const GAP_LIMIT = 2 * HOUR;

/** Every sample time of a window (from, to]. */
function steps(from: number, to: number): number[] {
  const times: number[] = [];
  for (let t = from - (from % STEP) + STEP; t <= to; t += STEP) times.push(t);
  return times;
}

/**
 * Capture rounds against the demo cloud and the run's PostgreSQL, on a clock the test sets: the cloud's answers
 * stop arriving for longer than the gap limit, and the round after the outage fills only the gap limit.
 */
describe('metrics capture after an outage longer than the gap limit', function () {
  // Each round of the outage waits out the provider's retries of its timed-out calls.
  this.timeout(180_000);
  let demo: DemoFixture;

  before(async () => {
    demo = await DemoFixture.start({ vms: 6, seed: 71, pageSize: 1000 });
    await demo.refresh();
    // The provider waits 1 s for an answer, so the slow_ms fault makes every capture call time out.
    await testEnv().dataSource.query(`UPDATE providers SET config = config || '{"timeoutSeconds": 1}' WHERE id = $1`, [demo.provider.id]);
  });
  after(async () => {
    await demo.close();
  });

  /** Each object's last capture, in seconds, by resource. */
  const capturedUntil = async (): Promise<Map<string, number>> => {
    const rows: { resource: string; until: number }[] = await testEnv().dataSource.query(
      `SELECT resource_type || '/' || resource_id AS resource, extract(epoch FROM captured_until)::int AS until FROM metric_captures WHERE provider_id = $1`,
      [demo.provider.id]);
    return new Map(rows.map((r) => [r.resource, r.until]));
  };
  /** The sample times each object's messages carry, by resource. */
  const sampleTimes = (messages: MetricsJobData[]): Map<string, number[]> => {
    const times = new Map<string, number[]>();
    for (const series of messages.flatMap((m) => m.series)) {
      const key = `${series.resourceType}/${series.resourceId}`;
      times.set(key, [...(times.get(key) ?? []), ...series.timestamps].sort((a, b) => a - b));
    }
    return times;
  };

  it('fills at most the gap limit once the cloud answers again, and goes on from there', async () => {
    const { dataSource, logger } = testEnv();
    const provider = await demo.store.get(demo.provider.id);
    const type = demo.store.typeOf(provider.type);
    const support = type.metrics;
    if (!support) throw new Error('the demo type has no metrics');
    const messages: MetricsJobData[] = [];
    const round = async (atSeconds: number) => captureRound({
      dataSource, providerId: provider.id, provider: await demo.store.ready(provider, logger), support,
      hierarchy: metricHierarchy(dataSource, type), send: async (data) => { messages.push(data); },
      thresholdSeconds: THRESHOLD, gapLimitSeconds: GAP_LIMIT, now: new Date(atSeconds * 1000),
    });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const start = nowSeconds - (nowSeconds % HOUR) - 8 * HOUR;

    await round(start);
    const first = await capturedUntil();
    expect(first.size).to.be.greaterThan(6);
    expect(new Set(first.values())).to.deep.equal(new Set([start]));

    // The outage: five hours of rounds that all fail, leaving every last capture where it was.
    await demo.setFaults({ slow_ms: 2_000 });
    for (let hour = 1; hour <= 5; hour += 1) {
      const failed = await round(start + hour * HOUR).then(() => undefined, (error: unknown) => error);
      expect(failed, `the round ${hour} h into the outage`).to.be.an('error');
    }
    expect(await capturedUntil()).to.deep.equal(first);
    await demo.clearFaults();

    messages.length = 0;
    const back = start + 6 * HOUR;
    await round(back);
    // Only the last GAP_LIMIT of the six hours without captures is filled; what is older is given up.
    const filled = sampleTimes(messages);
    expect([...filled.keys()].sort()).to.deep.equal([...first.keys()].sort());
    for (const [resource, times] of filled) expect(times, resource).to.deep.equal(steps(back - GAP_LIMIT, back));
    expect(new Set((await capturedUntil()).values())).to.deep.equal(new Set([back]));

    // And capture goes on from there, without a gap or an overlap.
    messages.length = 0;
    const next = back + THRESHOLD;
    await round(next);
    for (const [resource, times] of sampleTimes(messages)) expect(times, resource).to.deep.equal(steps(back, next));
    expect(new Set((await capturedUntil()).values())).to.deep.equal(new Set([next]));
  });
});
