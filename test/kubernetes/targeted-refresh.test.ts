import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { KubeFixture, runningStatus } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';

/** Targeted refreshes of pods named `namespace/name`: a changed one is updated, a deleted one (404) removed, alone. */
describe('kubernetes: targeted refresh', () => {
  let kube: KubeFixture;
  const podNames = ['one', 'two', 'three'];

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    for (const [i, name] of podNames.entries()) {
      await kube.createPod(name, { labels: { app: 'web' } });
      await kube.markRunning(name, `10.244.3.${i + 1}`, [runningStatus('c0', 'nginx:1.25')]);
    }
    await kube.core.createNamespacedService({ namespace: kube.namespace, body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
  });

  const podRow = async (name: string): Promise<Record<string, unknown> | undefined> => (await kube.rows('container_pods', 'name = $2', [name]))[0];

  it('updates the changed pod it names, and leaves another changed pod for a later refresh', async () => {
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    for (const name of ['one', 'two']) {
      await kube.core.patchNamespacedPod({ namespace: kube.namespace, name, body: { metadata: { labels: { app: 'web', tier: 'front' } } } }, mergePatch);
      await kube.markRunning(name, '10.244.3.99', [runningStatus('c0', 'nginx:1.25', 4, false)]);
    }

    const outcome = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/one` }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.scope).to.equal('targeted');
    expect(outcome.stats.collections.pods).to.include({ created: 0, updated: 1, deleted: 0 });
    expect(await podRow('one')).to.deep.include({ pod_ip: '10.244.3.99', labels: { app: 'web', tier: 'front' } });
    expect(await podRow('two')).to.deep.include({ pod_ip: '10.244.3.2', labels: { app: 'web' } });
    const [one] = await kube.rows('container_pods', 'name = $2', ['one']);
    const containers = await kube.rows('containers', 'pod_id = $2', [one.id]);
    expect(containers.map((c) => [c.restart_count, c.ready])).to.deep.equal([[4, false]]);
    expect((await kube.rows('container_service_pods', 'pod_id = $2', [one.id])).length).to.equal(1);
    expect((await kube.rows('container_service_pods')).length, 'the other pods keep their service links').to.equal(3);
  });

  it('finds the pod a target names by uid, as events name it', async () => {
    const [two] = await kube.rows('container_pods', 'name = $2', ['two']);
    const outcome = await kube.refresh([{ collection: 'pods', ref: String(two.ems_ref) }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.pods).to.include({ created: 0, updated: 1, deleted: 0 });
    expect(await podRow('two')).to.deep.include({ pod_ip: '10.244.3.99', labels: { app: 'web', tier: 'front' } });
  });

  it('relinks a service whose selector changed, and touches no pod', async () => {
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await kube.core.patchNamespacedService({ namespace: kube.namespace, name: 'web', body: { spec: { selector: { app: 'web', tier: 'front' } } } }, mergePatch);
    const outcome = await kube.refresh([{ collection: 'services', ref: `${kube.namespace}/web` }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.services).to.include({ updated: 1 });
    expect(outcome.stats.collections.servicePods).to.include({ created: 0, deleted: 1 });
    expect(outcome.stats.collections.pods).to.include({ created: 0, updated: 0, deleted: 0 });
    const linked = await testEnv().dataSource.query(
      'SELECT p.name FROM container_service_pods l JOIN container_pods p ON p.id = l.pod_id WHERE l.provider_id = $1 ORDER BY p.name', [kube.provider.id]);
    expect(linked.map((row: { name: string }) => row.name)).to.deep.equal(['one', 'two']);
  });

  it('unlinks a relabelled pod from the service it no longer matches, and links it again, by the pod\'s own refresh', async () => {
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const relabel = async (tier: string | null): Promise<void> => {
      await kube.core.patchNamespacedPod({ namespace: kube.namespace, name: 'two', body: { metadata: { labels: { tier } } } }, mergePatch);
    };
    const linkedPods = async (): Promise<string[]> => (await testEnv().dataSource.query(
      'SELECT p.name FROM container_service_pods l JOIN container_pods p ON p.id = l.pod_id WHERE l.provider_id = $1 ORDER BY p.name', [kube.provider.id],
    )).map((row: { name: string }) => row.name);

    await relabel(null); // the service selects tier=front: 'two' drops out
    const unlinked = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/two` }]);
    expect(unlinked.status, String(unlinked.error)).to.equal('ok');
    expect(unlinked.stats.collections.servicePods).to.include({ created: 0, deleted: 1 });
    expect(unlinked.stats.collections.services).to.include({ updated: 0, deleted: 0 });
    expect(await linkedPods()).to.deep.equal(['one']);

    await relabel('front');
    const relinked = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/two` }]);
    expect(relinked.stats.collections.servicePods).to.include({ created: 1, deleted: 0 });
    expect(await linkedPods()).to.deep.equal(['one', 'two']);
  });

  it('takes a pod as the watch notice observed it, without asking the server, and removes one observed deleted', async () => {
    // A watch notice carries the object as JSON: the pod as the server has it, with a label the server does not have.
    const served = JSON.parse(JSON.stringify(await kube.core.readNamespacedPod({ namespace: kube.namespace, name: 'one' }))) as { metadata: { labels: Record<string, string> } };
    // As JSON the pod is the same row as fetched (times as text, not dates): nothing to write.
    const same = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/one`, observed: served }]);
    expect(same.writes).to.equal(0);
    served.metadata.labels = { ...served.metadata.labels, seen: 'by-watch' };
    const observed = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/one`, observed: served }]);
    expect(observed.stats.collections.pods).to.include({ updated: 1 });
    expect((await podRow('one'))?.labels).to.include({ seen: 'by-watch' });

    const gone = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/one`, observed: null }]);
    expect(gone.stats.collections.pods).to.include({ deleted: 1 });
    expect(await podRow('one')).to.equal(undefined);

    // Named without a state, the pod is asked for: the server's own state comes back.
    const fetched = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/one` }]);
    expect(fetched.stats.collections.pods).to.include({ created: 1 });
    expect((await podRow('one'))?.labels).to.not.have.property('seen');
  });

  it('removes the deleted pod it names (the server answers 404), and only that pod', async () => {
    const [three] = await kube.rows('container_pods', 'name = $2', ['three']);
    await kube.deletePod('three');
    await kube.deletePod('two'); // deleted too, but not named: stays until a refresh names it or lists the namespace

    const outcome = await kube.refresh([{ collection: 'pods', ref: `${kube.namespace}/three` }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.pods).to.include({ created: 0, updated: 0, deleted: 1 });
    expect(await kube.names('container_pods')).to.deep.equal(['one', 'two']);
    expect(await kube.rows('containers', 'archived_at IS NULL AND pod_id = $2', [three.id])).to.deep.equal([]);
    expect(await kube.rows('container_service_pods', 'pod_id = $2', [three.id])).to.deep.equal([]);
    expect((await kube.rows('container_service_pods')).length, 'the pods left keep their service links').to.equal(2);
    expect(await kube.names('container_services')).to.deep.equal(['web']);
  });
});

/** Many targets in one namespace, which the type takes from a listing of the namespace instead of one by one. */
describe('kubernetes: targeted refresh of many pods of one namespace', () => {
  let kube: KubeFixture;
  const named = Array.from({ length: 110 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
  const others = ['other-a', 'other-b'];

  before(async function () {
    this.timeout(120_000);
    kube = await KubeFixture.start();
    for (const name of [...named, ...others]) await kube.createPod(name, { labels: { app: 'many' } });
    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
  });

  it('updates the changed pods and removes the deleted ones it names, and touches no pod it does not name', async () => {
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const changed = named.slice(0, 10);
    const deleted = named.slice(10, 15);
    for (const name of [...changed, 'other-a']) {
      await kube.core.patchNamespacedPod({ namespace: kube.namespace, name, body: { metadata: { labels: { app: 'many', changed: 'yes' } } } }, mergePatch);
    }
    for (const name of [...deleted, 'other-b']) await kube.deletePod(name);

    const targets = [...named, 'never-was'].map((name) => ({ collection: 'pods', ref: `${kube.namespace}/${name}` }));
    const outcome = await kube.refresh(targets);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.scope).to.equal('targeted');
    expect(outcome.stats.collections.pods).to.include({ created: 0, updated: changed.length, deleted: deleted.length });
    const rows = await kube.rows('container_pods', 'archived_at IS NULL');
    const labels = new Map(rows.map((row) => [row.name, row.labels]));
    expect([...labels.keys()].sort()).to.deep.equal([...named.filter((name) => !deleted.includes(name)), ...others].sort());
    for (const name of changed) expect(labels.get(name), name).to.deep.equal({ app: 'many', changed: 'yes' });
    expect(labels.get('other-a'), 'a changed pod not named').to.deep.equal({ app: 'many' });
  });
});
