import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { EventPositionLostError, type EventPosition, type ProviderEvent } from '../../src/core/events/provider-events';
import { kubernetesEvents } from '../../src/providers/kubernetes/kubernetes-events';
import { KubeEventReader } from '../support/kube-event-reader';
import { KubeFixture, uniqueName } from '../support/kube-fixture';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The kubernetes provider's event stream against the real API server: watches from a position, in order, resumable. */
describe('kubernetes: event stream', () => {
  let kube: KubeFixture;
  const readers: KubeEventReader[] = [];

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
  });
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((reader) => reader.close()));
  });

  const open = async (position: EventPosition | null): Promise<KubeEventReader> => {
    const reader = await KubeEventReader.open(kube, position);
    readers.push(reader);
    return reader;
  };
  /** The events of this test's objects (the namespace is shared by the tests of this file). */
  const about = (events: ProviderEvent[], names: string[]): string[] =>
    events.filter((e) => names.some((name) => e.message.includes(`${kube.namespace}/${name} `) || e.message.includes(`${kube.namespace}/${name}:`)))
      .map((e) => `${e.type} ${e.message.split(' ')[1]}`);

  it('starts from now with a position for every watch, before any event', async () => {
    const reader = await open(null);
    const position = await reader.position();
    expect(reader.batches[0].events).to.deep.equal([]);
    const ns = kube.namespace;
    expect(Object.keys(position as Record<string, string>).sort()).to.deep.equal([
      `${ns}/deployments`, `${ns}/events`, `${ns}/persistentvolumeclaims`, `${ns}/pods`, `${ns}/replicasets`, `${ns}/services`,
      `namespaces/${ns}`, 'nodes', 'persistentvolumes',
    ]);
    for (const version of Object.values(position as Record<string, string>)) expect(version).to.match(/^\d+$/);
  });

  it('reports a pod and a service added, modified and deleted, each in order, naming them for a targeted refresh', async () => {
    const reader = await open(null);
    await reader.position();
    const pod = uniqueName('pod');
    const service = uniqueName('svc');
    const created = await kube.createPod(pod, { labels: { app: 'web' } });
    await kube.core.createNamespacedService({ namespace: kube.namespace, body: { metadata: { name: service }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    await kube.core.patchNamespacedPod({ namespace: kube.namespace, name: pod, body: { metadata: { labels: { app: 'web', tier: 'front' } } } }, mergePatch);
    await kube.core.patchNamespacedService({ namespace: kube.namespace, name: service, body: { metadata: { labels: { tier: 'front' } } } }, mergePatch);
    await kube.deletePod(pod);
    await kube.core.deleteNamespacedService({ namespace: kube.namespace, name: service });

    await reader.upTo((e) => e.type === 'pod.deleted', 'the pod deleted');
    const { events } = await reader.upTo((e) => e.type === 'service.deleted', 'the service deleted');
    // Deleting a pod first marks it (deletionTimestamp: a modification), then removes it.
    expect(about(events, [pod])).to.deep.equal([
      `pod.added ${kube.namespace}/${pod}`, `pod.modified ${kube.namespace}/${pod}`, `pod.modified ${kube.namespace}/${pod}`, `pod.deleted ${kube.namespace}/${pod}`,
    ]);
    expect(about(events, [service])).to.deep.equal([
      `service.added ${kube.namespace}/${service}`, `service.modified ${kube.namespace}/${service}`, `service.deleted ${kube.namespace}/${service}`,
    ]);
    const added = events.find((e) => e.type === 'pod.added');
    expect(added?.refs).to.deep.equal([{ collection: 'pods', emsRef: created.metadata?.uid, targetRef: `${kube.namespace}/${pod}` }]);
    // A watch change's target carries the object as the notice had it (a deleted one: null), for its refresh to use.
    const [addedTarget] = kubernetesEvents.targets(added as ProviderEvent);
    expect(addedTarget).to.include({ collection: 'pods', ref: `${kube.namespace}/${pod}` });
    expect(addedTarget.observed).to.have.nested.property('metadata.uid', created.metadata?.uid);
    const deleted = events.find((e) => e.type === 'pod.deleted') as ProviderEvent;
    expect(kubernetesEvents.targets(deleted)).to.deep.equal([{ collection: 'pods', ref: `${kube.namespace}/${pod}`, observed: null }]);
    expect(new Set(events.map((e) => e.sourceId)).size, 'each change once').to.equal(events.length);
  });

  it('reports a core/v1 Event about a pod as k8s_event.pod.<Reason>, refreshing that pod', async () => {
    const reader = await open(null);
    await reader.position();
    const pod = uniqueName('pod');
    const created = await kube.createPod(pod);
    await kube.core.createNamespacedEvent({
      namespace: kube.namespace,
      body: {
        metadata: { name: uniqueName('ev') }, reason: 'BackOff', message: 'Back-off restarting failed container', type: 'Warning',
        involvedObject: { kind: 'Pod', namespace: kube.namespace, name: pod, uid: created.metadata?.uid },
        firstTimestamp: new Date('2026-03-04T05:06:07Z'), lastTimestamp: new Date('2026-03-04T05:06:08Z'),
      },
    });
    const { events } = await reader.upTo((e) => e.type.startsWith('k8s_event.'), 'the core Event');
    const event = events.at(-1) as ProviderEvent;
    expect(event).to.deep.include({
      type: 'k8s_event.pod.BackOff', timestamp: '2026-03-04T05:06:08Z',
      message: `Pod ${kube.namespace}/${pod}: BackOff: Back-off restarting failed container`,
      refs: [{ collection: 'pods', emsRef: created.metadata?.uid, targetRef: `${kube.namespace}/${pod}` }],
    });
    expect(kubernetesEvents.targets(event)).to.deep.equal([{ collection: 'pods', ref: `${kube.namespace}/${pod}` }]);
  });

  it('resumed from a kept position, reports exactly the changes made after it', async () => {
    const first = await open(null);
    await first.position();
    const [x, y, sentinel] = [uniqueName('x'), uniqueName('y'), uniqueName('end')];
    await kube.createPod(x);
    const { position } = await first.upTo((e) => e.type === 'pod.added' && e.message.includes(x), 'x added');
    await first.close();

    // While no stream runs: these must come from the kept position, once each.
    await kube.core.patchNamespacedPod({ namespace: kube.namespace, name: x, body: { metadata: { labels: { changed: 'yes' } } } }, mergePatch);
    await kube.createPod(y);
    await kube.deletePod(x);
    const resumed = await open(position);
    await kube.createPod(sentinel);
    const { events } = await resumed.upTo((e) => e.type === 'pod.added' && e.message.includes(sentinel), 'the sentinel added');

    expect(about(events, [x, y, sentinel])).to.deep.equal([
      `pod.modified ${kube.namespace}/${x}`, `pod.added ${kube.namespace}/${y}`, `pod.modified ${kube.namespace}/${x}`, `pod.deleted ${kube.namespace}/${x}`,
      `pod.added ${kube.namespace}/${sentinel}`,
    ]);
    expect(new Set(events.map((e) => e.sourceId)).size, 'each change once').to.equal(events.length);
  });

  it('fails with EventPositionLostError from a position older than the server\'s history (410 Gone)', async function () {
    this.timeout(120_000); // restarts the server
    const reader = await open(null);
    const kept = await reader.position();
    await reader.close();
    await kube.createPod(uniqueName('after'));
    // etcd forgets the revisions before now, as the server's periodic compaction makes it; the restarted server's
    // watch cache starts from now too, so neither has the changes since the kept position any more.
    await kube.kube.compactHistory();
    await kube.kube.restart(0);
    const lost = await open(kept);
    const error = await lost.failed();
    expect(error).to.be.instanceOf(EventPositionLostError);
    expect(String((error as Error).message)).to.include('410 Gone');
  });

  it('fails with EventPositionLostError from a position that lacks a watch (the namespaces configured changed)', async () => {
    const reader = await open({ nodes: '1' });
    expect(await reader.failed()).to.be.instanceOf(EventPositionLostError);
  });
});
