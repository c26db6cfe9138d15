import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { WORKER_ROLE_NAMES } from '../../src/core/workers/worker-role-facts';
import { RESTART_CAUSES } from '../../src/server/worker-stop-reasons';
import { EventQueue } from '../../src/queues/event-queue';
import { MetricsQueue } from '../../src/queues/metrics-queue';
import { ApiMetrics } from '../../src/api/api-metrics';
import { ApiFixture } from '../support/api-fixture';
import { capturedLogger } from '../support/captured-logger';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

/** The value of one sample in Prometheus' text format, by name and exactly these labels; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]);
    if (JSON.stringify(found.sort()) === wanted) return Number(match[3]);
  }
  return undefined;
}

describe('API: Prometheus metrics', function () {
  let api: ApiFixture;
  let demo: DemoFixture;

  const scrape = async (): Promise<string> => {
    const response = await api.get('/metrics');
    expect(response.statusCode).to.equal(200);
    expect(response.headers['content-type']).to.match(/^text\/plain/);
    return response.body;
  };

  const insertEvents = async (providerId: string, types: string[]): Promise<void> => {
    for (const type of types) {
      await testEnv().dataSource.query(
        `INSERT INTO event_streams (provider_id, source_id, event_type, "timestamp", message) VALUES ($1, $2, $3, now(), 'test')`,
        [providerId, `prometheus-${Math.random().toString(36).slice(2)}`, type],
      );
    }
  };

  const insertWorker = async (role: string, status: string, stopReason: string | null): Promise<string> => {
    const [{ id }]: { id: string }[] = await testEnv().dataSource.query(
      `INSERT INTO workers (role, status, stop_reason, stopped_at) VALUES ($1, $2, $3, CASE WHEN $2 = 'stopped' THEN now() END) RETURNING id::text AS id`,
      [role, status, stopReason],
    );
    return id;
  };

  before(async () => {
    demo = await DemoFixture.start({ vms: 2, seed: 97 });
    api = await ApiFixture.start();
  });
  after(async () => {
    await api?.refreshQueue.remove(demo.provider.id);
    await api?.close();
    await demo?.close();
  });

  it('has every metric family, the process\'s own included, from the first scrape', async () => {
    const text = await scrape();
    for (const family of ['fleet_refresh_duration_seconds histogram', 'fleet_queue_depth gauge', 'fleet_worker_restarts_total counter',
      'fleet_events_total counter', 'fleet_http_request_duration_seconds histogram', 'process_cpu_user_seconds_total counter', 'nodejs_heap_size_used_bytes gauge']) {
      expect(text).to.include(`# TYPE ${family}\n`);
    }
  });

  it('has the counters alerts watch at 0 before their first event, and passes promtool\'s check', async () => {
    const text = await scrape();
    for (const role of WORKER_ROLE_NAMES) {
      for (const reason of RESTART_CAUSES) expect(sample(text, 'fleet_worker_restarts_total', { role, reason }), `${role} ${reason}`).to.be.a('number');
    }
    for (const collector of ['refresh_runs', 'events', 'workers', 'queues']) {
      expect(sample(text, 'fleet_metrics_collect_failures_total', { collector }), collector).to.equal(0);
    }
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).to.equal(undefined);
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).to.deep.equal({ status: 0, output: '' });
  });

  it('observes each refresh run once it has finished, by provider, kind and status', async () => {
    await scrape();
    await demo.refresh();
    const [{ id: runId }]: { id: string }[] = await testEnv().dataSource.query(
      `INSERT INTO refresh_runs (provider_id, kind, source, status, started_at) VALUES ($1, 'targeted', 'user', 'running', now() - interval '90 seconds') RETURNING id::text AS id`,
      [demo.provider.id],
    );
    const provider = demo.provider.id;
    let text = await scrape();
    expect(sample(text, 'fleet_refresh_duration_seconds_count', { provider, kind: 'full', status: 'ok' })).to.equal(1);
    expect(sample(text, 'fleet_refresh_duration_seconds_count', { provider, kind: 'targeted', status: 'failed' }), 'still running').to.equal(undefined);

    await testEnv().dataSource.query(`UPDATE refresh_runs SET status = 'failed', finished_at = started_at + interval '90 seconds' WHERE id = $1`, [runId]);
    text = await scrape();
    const failed = { provider, kind: 'targeted', status: 'failed' };
    expect(sample(text, 'fleet_refresh_duration_seconds_count', failed)).to.equal(1);
    expect(sample(text, 'fleet_refresh_duration_seconds_sum', failed)).to.be.closeTo(90, 1e-6);
    expect(sample(text, 'fleet_refresh_duration_seconds_bucket', { ...failed, le: '60' })).to.equal(0);
    expect(sample(text, 'fleet_refresh_duration_seconds_bucket', { ...failed, le: '120' })).to.equal(1);

    // A targeted run of milliseconds falls between bounds, not in the first bucket.
    await testEnv().dataSource.query(
      `INSERT INTO refresh_runs (provider_id, kind, source, status, started_at, finished_at) VALUES ($1, 'targeted', 'event', 'ok', now(), now() + interval '12 milliseconds')`,
      [demo.provider.id],
    );
    text = await scrape();
    const quick = { provider, kind: 'targeted', status: 'ok' };
    expect(sample(text, 'fleet_refresh_duration_seconds_bucket', { ...quick, le: '0.01' })).to.equal(0);
    expect(sample(text, 'fleet_refresh_duration_seconds_bucket', { ...quick, le: '0.025' })).to.equal(1);

    text = await scrape();
    expect(sample(text, 'fleet_refresh_duration_seconds_count', failed), 'counted once').to.equal(1);
    expect(sample(text, 'fleet_refresh_duration_seconds_count', { provider, kind: 'full', status: 'ok' })).to.equal(1);
  });

  it('counts stored events by provider and type, from the first scrape on', async () => {
    await insertEvents(demo.provider.id, ['vm.power_off']);
    await scrape();
    await insertEvents(demo.provider.id, ['vm.power_on', 'vm.alarm', 'vm.power_on']);
    const text = await scrape();
    const provider = demo.provider.id;
    expect(sample(text, 'fleet_events_total', { provider, type: 'vm.power_on' })).to.equal(2);
    expect(sample(text, 'fleet_events_total', { provider, type: 'vm.alarm' })).to.equal(1);
  });

  it('counts workers that had to be replaced, by role and reason, and not those stopped in order', async () => {
    const restarts = (text: string, role: string, reason: string): number => sample(text, 'fleet_worker_restarts_total', { role, reason }) ?? 0;
    const before = await scrape();
    const crashing = await insertWorker('refresh', 'running', null);
    await insertWorker('event-handler', 'stopped', 'SIGTERM');
    await insertWorker('metrics-collector', 'stopped', 'no heartbeat for 42 s');
    let text = await scrape();
    expect(restarts(text, 'refresh', 'exited') - restarts(before, 'refresh', 'exited'), 'still running').to.equal(0);
    expect(restarts(text, 'metrics-collector', 'heartbeat_lost') - restarts(before, 'metrics-collector', 'heartbeat_lost')).to.equal(1);
    const ofRole = (scraped: string, role: string): number => RESTART_CAUSES.reduce((sum, reason) => sum + restarts(scraped, role, reason), 0);
    expect(ofRole(text, 'event-handler') - ofRole(before, 'event-handler'), 'stopped in order').to.equal(0);

    await testEnv().dataSource.query(`UPDATE workers SET status = 'stopped', stop_reason = 'exited', stopped_at = now() WHERE id = $1`, [crashing]);
    text = await scrape();
    expect(restarts(text, 'refresh', 'exited') - restarts(before, 'refresh', 'exited')).to.equal(1);
  });

  it('shows queue depths and request latency by route', async () => {
    await api.refreshQueue.queueRefresh(demo.provider.id, { targets: [{ collection: 'vms', ref: 'vm-x' }], source: 'user' });
    expect((await api.get(`/api/v1/providers/${demo.provider.id}`)).statusCode).to.equal(200);
    const text = await scrape();
    const provider = demo.provider.id;
    expect(sample(text, 'fleet_queue_depth', { queue: 'refresh', provider, state: 'waiting' })).to.equal(1);
    expect(sample(text, 'fleet_queue_depth', { queue: 'refresh', provider, state: 'pending_targets' })).to.equal(1);
    for (const queue of ['events', 'metrics']) expect(sample(text, 'fleet_queue_depth', { queue, provider: '', state: 'waiting' }), queue).to.be.a('number');
    expect(sample(text, 'fleet_queue_depth', { queue: 'events', provider: '', state: 'batches' })).to.be.a('number');
    expect(sample(text, 'fleet_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/providers/:provider', status: '200' })).to.be.at.least(1);
  });

  it('forgets the series of a deleted provider', async () => {
    const gone = await DemoFixture.start({ vms: 1, seed: 98 });
    try {
      await scrape();
      await insertEvents(gone.provider.id, ['vm.power_on']);
      let text = await scrape();
      expect(sample(text, 'fleet_events_total', { provider: gone.provider.id, type: 'vm.power_on' })).to.equal(1);
      expect(sample(text, 'fleet_queue_depth', { queue: 'refresh', provider: gone.provider.id, state: 'waiting' })).to.equal(0);
      expect((await api.request({ method: 'DELETE', url: `/api/v1/providers/${gone.provider.id}` })).statusCode).to.equal(200);
      text = await scrape();
      expect(text).not.to.include(`provider="${gone.provider.id}"`);
    } finally {
      await gone.close();
    }
  });

  it('still answers when a part cannot be read, counting and logging the failure', async () => {
    const { dataSource, redis, redisPrefix } = testEnv();
    const log = capturedLogger();
    // A metrics queue whose connection is closed: reading its depth fails as with Redis away.
    const metricsQueue = new MetricsQueue({ host: '127.0.0.1', port: Number(new URL(testEnv().redisUrl).port || 6379) }, redisPrefix);
    await metricsQueue.close();
    const eventQueue = new EventQueue({ redis, connection: redis, prefix: redisPrefix });
    try {
      const metrics = new ApiMetrics({ dataSource, logger: log.logger, refreshQueue: api.refreshQueue, eventQueue, metricsQueue });
      const { body } = await metrics.render();
      expect(sample(body, 'fleet_metrics_collect_failures_total', { collector: 'queues' })).to.equal(1);
      expect(body).to.include('# TYPE fleet_events_total counter');
      expect(log.lines().some((line) => line.event === 'api.metrics_collect_failed' && line.collector === 'queues')).to.equal(true);
    } finally {
      await eventQueue.close();
    }
  });
});
