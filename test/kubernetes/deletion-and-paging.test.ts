import { expect } from 'chai';
import { KubeFixture, runningStatus } from '../support/kube-fixture';

/** A full refresh removes exactly what the cluster no longer has, and pages through listings longer than a page. */
describe('kubernetes: deletions and paging', () => {
  let kube: KubeFixture;
  const podNames = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
  const serviceNames = ['svc-a', 'svc-b', 'svc-c'];

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start({ pageSize: 2 });
    for (const [i, name] of podNames.entries()) {
      await kube.createPod(name, { labels: { app: 'paged' }, images: ['nginx:1.25', 'envoy:1.28'] });
      await kube.markRunning(name, `10.244.2.${i + 1}`, [runningStatus('c0', 'nginx:1.25'), runningStatus('c1', 'envoy:1.28')]);
    }
    for (const name of serviceNames) {
      await kube.core.createNamespacedService({ namespace: kube.namespace, body: { metadata: { name }, spec: { selector: { app: 'paged' }, ports: [{ port: 80 }] } } });
    }
  });

  it('stores every object of listings longer than the page size', async () => {
    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(await kube.names('container_pods')).to.deep.equal(podNames);
    expect(await kube.names('container_services')).to.deep.equal(serviceNames);
    expect((await kube.rows('containers', 'archived_at IS NULL')).length).to.equal(podNames.length * 2);
    expect((await kube.rows('container_service_pods')).length).to.equal(podNames.length * serviceNames.length);
  });

  it('removes a deleted pod, its containers and its service links, and nothing else', async () => {
    await kube.refresh();
    const [gone] = await kube.rows('container_pods', 'name = $2', ['charlie']);
    await kube.deletePod('charlie');

    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.pods).to.include({ created: 0, updated: 0, deleted: 1 });
    expect(outcome.stats.collections.services).to.include({ created: 0, updated: 0, deleted: 0 });
    expect(await kube.names('container_pods')).to.deep.equal(podNames.filter((name) => name !== 'charlie'));
    expect(await kube.names('container_services')).to.deep.equal(serviceNames);
    expect(await kube.rows('containers', 'archived_at IS NULL AND pod_id = $2', [gone.id])).to.deep.equal([]);
    expect((await kube.rows('containers', 'archived_at IS NULL')).length).to.equal((podNames.length - 1) * 2);
    expect(await kube.rows('container_service_pods', 'pod_id = $2', [gone.id])).to.deep.equal([]);
    expect((await kube.rows('container_service_pods')).length).to.equal((podNames.length - 1) * serviceNames.length);
  });
});
