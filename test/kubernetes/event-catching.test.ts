import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { KubeFixture, runningStatus, uniqueName } from '../support/kube-fixture';
import { SupervisedProvider } from '../support/supervised-provider';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

interface StoredEvent {
  source_id: string;
  event_type: string;
  message: string;
  refs: { collection: string; emsRef: string; targetRef?: string }[];
  container_pod_id: string | null;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * The kubernetes provider's watch through the fleet, with real processes: the provider's event catcher, the shared
 * event handlers and the refresh worker started by a supervisor, against the run's API server, PostgreSQL and Redis.
 */
describe('kubernetes: events through the fleet', function () {
  this.timeout(120_000);
  let kube: KubeFixture;
  let fleet: SupervisedProvider | undefined;
  const logs: string[] = [];

  beforeEach(async () => {
    kube = await KubeFixture.start();
    logs.length = 0;
  });
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });

  /** Starts the provider's workers with events; waits for its catcher to keep a position and the first refresh to be done. */
  async function startFleet(env: NodeJS.ProcessEnv = {}): Promise<SupervisedProvider> {
    fleet = await SupervisedProvider.start({
      providerId: kube.provider.id, store: kube.store, events: true, env: { LOG_LEVEL: 'info', ...env }, onOutput: (line) => logs.push(line),
    });
    const started = fleet;
    await until(() => (logs.some((line) => line.includes('"event":"events.stream_started"')) ? true : undefined), 'the event catcher to start');
    expect(Object.keys((await providerData()).eventPosition as object)).to.include(`${kube.namespace}/pods`);
    await until(async () => {
      const { waiting, active } = await started.queue.counts(kube.provider.id);
      return waiting === 0 && active === 0 && (await runs()).every((r) => r.status === 'ok') ? true : undefined;
    }, 'the first full refresh to be done');
    return started;
  }

  const providerData = async (): Promise<Record<string, unknown>> =>
    (await testEnv().dataSource.query('SELECT provider_data FROM providers WHERE id = $1', [kube.provider.id]))[0].provider_data;
  const runs = (): Promise<{ kind: string; status: string; source: string; targets: { collection: string; ref: string }[] | null }[]> =>
    testEnv().dataSource.query('SELECT kind, status, source, targets FROM refresh_runs WHERE provider_id = $1 ORDER BY id', [kube.provider.id]);
  const events = (where = 'true', params: unknown[] = []): Promise<StoredEvent[]> =>
    testEnv().dataSource.query(
      `SELECT source_id, event_type, message, refs, container_pod_id FROM event_streams WHERE provider_id = $1 AND (${where}) ORDER BY id`, [kube.provider.id, ...params]);
  const pod = async (name: string): Promise<Record<string, unknown> | undefined> => (await kube.rows('container_pods', 'name = $2 AND archived_at IS NULL', [name]))[0];

  it('adds a created pod, updates a changed one and removes a deleted one without a full refresh, storing each change as an event', async () => {
    const before = uniqueName('before');
    await kube.createPod(before);
    await startFleet();
    expect(await pod(before), 'the first full refresh').to.not.equal(undefined);
    const fullRuns = (await runs()).filter((r) => r.kind === 'full').length;

    const created = uniqueName('new');
    await kube.createPod(created);
    await until(() => pod(created), 'the created pod in the inventory');

    await kube.markRunning(before, '10.244.9.9', [runningStatus('c0', 'nginx:1.25', 3)]);
    await until(async () => ((await pod(before))?.pod_ip === '10.244.9.9' ? true : undefined), 'the changed pod updated');
    const row = await pod(before);

    await kube.deletePod(created);
    await until(async () => ((await pod(created)) === undefined ? true : undefined), 'the deleted pod removed');

    expect((await runs()).filter((r) => r.kind === 'full'), 'no full refresh').to.have.length(fullRuns);
    const targets = (await runs()).filter((r) => r.kind === 'targeted' && r.source === 'event').flatMap((r) => r.targets ?? []);
    expect(targets).to.deep.include.members([{ collection: 'pods', ref: `${kube.namespace}/${created}` }, { collection: 'pods', ref: `${kube.namespace}/${before}` }]);
    const changed = await events(`event_type = 'pod.modified' AND message = $2`, [`Pod ${kube.namespace}/${before} modified`]);
    expect(changed, 'the status patch, stored once').to.have.length(1);
    expect(changed[0]).to.deep.include({
      refs: [{ collection: 'pods', emsRef: row?.ems_ref, targetRef: `${kube.namespace}/${before}` }], container_pod_id: row?.id,
    });
    const ofCreated = (await events(`message LIKE $2`, [`Pod ${kube.namespace}/${created} %`])).map((e) => e.event_type);
    expect(ofCreated).to.deep.equal(['pod.added', 'pod.modified', 'pod.deleted']);
  });

  it('drops the event types on the filter list', async () => {
    await startFleet({ FLEET_EVENT_FILTERS_BY_TYPE: JSON.stringify({ kubernetes: ['service.added'] }) });
    const [service, marker] = [uniqueName('svc'), uniqueName('marker')];
    await kube.core.createNamespacedService({ namespace: kube.namespace, body: { metadata: { name: service }, spec: { ports: [{ port: 80 }] } } });
    await kube.core.patchNamespacedService({ namespace: kube.namespace, name: service, body: { metadata: { labels: { seen: 'yes' } } } }, mergePatch);
    await kube.createPod(marker);
    await until(async () => ((await events(`event_type = 'pod.added'`)).length > 0 ? true : undefined), 'the marker pod\'s event');
    await until(async () => ((await events(`event_type = 'service.modified'`)).length > 0 ? true : undefined), 'the service\'s modification');

    expect(await events(`event_type = 'service.added'`)).to.deep.equal([]);
  });

  it('stores every pod change exactly once, in order, and shows it, when its catcher is killed with SIGKILL during a burst', async () => {
    const running = await startFleet({ FLEET_EVENT_FLOOD_PER_MINUTE: '1000000' });
    const catcher = await until(() => running.runningWorker(undefined, 'event-catcher'), 'the event catcher');
    const names = Array.from({ length: 150 }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
    const deleted = new Set(names.filter((_, i) => i % 5 === 4));
    const podEvents = (): Promise<StoredEvent[]> => events(`event_type LIKE 'pod.%'`);
    let killed = false;
    for (const name of names) {
      // Each pod is added, labelled (modified) and every fifth deleted (a modification setting its deletion time, then the deletion).
      await kube.createPod(name);
      await kube.core.patchNamespacedPod({ namespace: kube.namespace, name, body: { metadata: { labels: { burst: 'seen' } } } }, mergePatch);
      if (deleted.has(name)) await kube.deletePod(name);
      // Killed once part of the burst is stored; the rest happens while the catcher is dead and after.
      if (!killed && (await podEvents()).length >= 60) {
        process.kill(catcher.pid, 'SIGKILL');
        killed = true;
      }
    }
    expect(killed, 'the catcher was killed during the burst').to.equal(true);

    const replacement = await until(() => running.runningWorker(catcher.id, 'event-catcher'), 'a replacement event catcher');
    expect(replacement.pid).to.not.equal(catcher.pid);
    const expected = new Map(names.map((name) => [
      `${kube.namespace}/${name}`, deleted.has(name) ? ['pod.added', 'pod.modified', 'pod.modified', 'pod.deleted'] : ['pod.added', 'pod.modified'],
    ]));
    const total = [...expected.values()].reduce((n, types) => n + types.length, 0);
    await until(async () => ((await podEvents()).length >= total ? true : undefined), 'every pod change stored');
    const stored = new Map<string, string[]>();
    for (const event of await podEvents()) {
      const name = event.message.split(' ')[1];
      stored.set(name, [...(stored.get(name) ?? []), event.event_type]);
    }
    expect(stored).to.deep.equal(expected);

    await until(async () => ((await kube.names('container_pods')).length === names.length - deleted.size ? true : undefined), 'the deleted pods removed');
    const rows = await kube.rows('container_pods', 'archived_at IS NULL');
    expect(rows.map((row) => row.name).sort()).to.deep.equal(names.filter((name) => !deleted.has(name)));
    expect(rows.every((row) => (row.labels as Record<string, string>).burst === 'seen'), 'every kept pod shows its label').to.equal(true);
  });
});
