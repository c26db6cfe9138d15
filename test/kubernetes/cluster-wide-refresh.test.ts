import { expect } from 'chai';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { KubeFixture, runningStatus, uniqueName } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';

/** A provider given no namespaces inventories the whole cluster, in cluster-wide listings. */
describe('kubernetes: a cluster-wide provider', () => {
  let kube: KubeFixture;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    await kube.createPod('solo', { labels: { app: 'solo' } });
    await kube.markRunning('solo', '10.244.4.1', [runningStatus('c0', 'nginx:1.25')]);
  });

  it('stores every namespace, the API server\'s own service, and the pods of every namespace, with pageSize 1', async () => {
    const env = testEnv();
    const provider = await kube.store.create({
      type: 'kubernetes', name: uniqueName('kube-all'),
      config: { server: kube.kube.url, caCertificate: kube.kube.caPem, insecureSkipTlsVerify: false, namespaces: [], pageSize: 1, timeoutSeconds: 30 },
      credentials: { token: kube.kube.adminToken },
    });
    const outcome = await refreshProvider({ dataSource: env.dataSource, store: kube.store, logger: env.logger, provider: provider.id, source: 'cli', fullThreshold: 100 });
    expect(outcome.status, String(outcome.error)).to.equal('ok');

    const namespaces = (await kube.core.listNamespace()).items.map((ns) => ns.metadata?.name).sort();
    const stored: { name: string }[] = await env.dataSource.query('SELECT name FROM container_namespaces WHERE provider_id = $1 ORDER BY name', [provider.id]);
    expect(stored.map((row) => row.name)).to.deep.equal(namespaces);
    const [service] = await env.dataSource.query(`SELECT namespace_name, service_type FROM container_services WHERE provider_id = $1 AND name = 'kubernetes'`, [provider.id]);
    expect(service).to.deep.equal({ namespace_name: 'default', service_type: 'ClusterIP' });
    const pods: { uid: string }[] = (await kube.core.listPodForAllNamespaces()).items.map((pod) => ({ uid: pod.metadata?.uid ?? '' }));
    const storedPods: { uid: string }[] = await env.dataSource.query('SELECT ems_ref AS uid FROM container_pods WHERE provider_id = $1', [provider.id]);
    expect(storedPods).to.have.deep.members(pods);
    const [solo] = await env.dataSource.query(`SELECT namespace_name, pod_ip FROM container_pods WHERE provider_id = $1 AND name = 'solo'`, [provider.id]);
    expect(solo).to.deep.equal({ namespace_name: kube.namespace, pod_ip: '10.244.4.1' });
  });
});
