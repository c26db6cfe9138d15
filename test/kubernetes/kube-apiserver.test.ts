import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { ApiException, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { testKube, type RunningKube } from '../support/test-kube';

/** What the kubernetes provider's tests rely on the run's real API server for. */
describe('the test kube-apiserver', () => {
  let kube: RunningKube;
  let admin: CoreV1Api;
  let namespace: string;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await testKube();
    admin = kube.kubeConfig.makeApiClient(CoreV1Api);
    namespace = `fleet-test-${randomBytes(4).toString('hex')}`;
    await admin.createNamespace({ body: { metadata: { name: namespace } } });
  });

  function pod(name: string, app = 'web'): V1Pod {
    return {
      metadata: { name, labels: { app } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
    };
  }

  it('serves the admin over TLS verified against its CA', async () => {
    const namespaces = await admin.listNamespace();
    expect(namespaces.items.map((item) => item.metadata?.name)).to.include.members(['default', 'kube-system', namespace]);
    expect(kube.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('refuses a client that does not trust its CA', async () => {
    const untrusting = new KubeConfig();
    untrusting.loadFromOptions({
      clusters: [{ name: 'c', server: kube.url, skipTLSVerify: false }],
      users: [{ name: 'u', token: kube.adminToken }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const error = await untrusting.makeApiClient(CoreV1Api).listNamespace().then(() => undefined, (e: unknown) => e);
    expect(String(error)).to.match(/self[- ]signed|certificate/i);
  });

  it('keeps a pod Pending until its status is patched, then reads it back Running', async () => {
    await admin.createNamespacedPod({ namespace, body: pod('status-pod') });
    const created = await admin.readNamespacedPod({ namespace, name: 'status-pod' });
    expect(created.status?.phase).to.equal('Pending');

    const startedAt = new Date('2026-01-02T03:04:05Z');
    await admin.patchNamespacedPodStatus({
      namespace, name: 'status-pod',
      body: {
        status: {
          phase: 'Running', podIP: '10.244.0.7', hostIP: '127.0.0.1', startTime: startedAt,
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{
            name: 'web', image: 'nginx:1.25', imageID: '', ready: true, restartCount: 2, state: { running: { startedAt } },
          }],
        },
      },
    }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

    const read = await admin.readNamespacedPodStatus({ namespace, name: 'status-pod' });
    expect(read.status?.phase).to.equal('Running');
    expect(read.status?.podIP).to.equal('10.244.0.7');
    expect(read.status?.containerStatuses?.[0]).to.include({ name: 'web', ready: true, restartCount: 2 });
  });

  it('lists pods in pages with a continue token', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await admin.createNamespacedPod({ namespace, body: pod(name, 'paged') });

    const first = await admin.listNamespacedPod({ namespace, limit: 2, labelSelector: 'app=paged' });
    expect(first.items).to.have.length(2);
    const token = first.metadata?._continue;
    expect(token).to.be.a('string').that.is.not.empty;
    const second = await admin.listNamespacedPod({ namespace, limit: 2, labelSelector: 'app=paged', _continue: token });
    const names = [...first.items, ...second.items].map((item) => item.metadata?.name);
    expect(names).to.have.members(['page-a', 'page-b', 'page-c']);
    expect(second.metadata?._continue ?? '').to.equal('');
  });

  it('answers 403 to a user no role is bound to', async () => {
    const nobody = kube.kubeConfigFor(kube.noRightsToken).makeApiClient(CoreV1Api);
    const error = await nobody.listNamespacedPod({ namespace }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(ApiException);
    expect((error as ApiException<unknown>).code).to.equal(403);
  });
});
