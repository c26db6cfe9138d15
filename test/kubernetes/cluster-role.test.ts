import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, loadYaml, RbacAuthorizationV1Api, type V1ClusterRole } from '@kubernetes/client-node';
import { KUBE_READER_USER } from '../support/kube-credentials';
import { KubeEventReader } from '../support/kube-event-reader';
import { KubeFixture, runningStatus } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const MANIFEST = join(__dirname, '..', '..', '..', 'deploy', 'kubernetes-provider', 'cluster-role.yaml');
const OPERATIONS_MANIFEST = join(__dirname, '..', '..', '..', 'deploy', 'kubernetes-provider', 'cluster-role-operations.yaml');

/** The ClusterRole the README tells operators to bind to the provider's token: enough for the type, and no more. */
describe('kubernetes: the provider\'s ClusterRole', () => {
  let kube: KubeFixture;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    await kube.createPod('reader-pod', { labels: { app: 'reader' } });
    await kube.markRunning('reader-pod', '10.244.7.1', [runningStatus('c0', 'nginx:1.25')]);
    await bindToReader(MANIFEST);
    // A whole-cluster provider with the bound user's token: the widest reading the type does.
    await kube.store.update(kube.provider.id, {
      config: { ...kube.provider.config, namespaces: [] }, credentials: { token: kube.kube.readerToken },
    }, { verify: false });
  });

  it('lets the type verify and refresh the whole cluster, every collection complete', async () => {
    // RBAC's cache takes in a new binding within moments.
    await until(() => kube.store.verifySaved(kube.provider.id, testEnv().logger).then(() => true, () => undefined), 'the binding to take effect', 10_000);

    const outcome = await kube.refresh();

    expect(outcome.status, String(outcome.error)).to.equal('ok');
    for (const [collection, stats] of Object.entries(outcome.stats.collections)) expect(stats.incomplete, collection).to.equal(undefined);
    expect(await kube.names('container_pods')).to.include('reader-pod');
  });

  it('lets the type watch the whole cluster for events', async () => {
    const reader = await KubeEventReader.open(kube, null);
    try {
      await reader.position();
      await kube.createPod('watched-pod');
      const { events } = await reader.upTo((e) => e.type === 'pod.added' && e.message.includes('/watched-pod '), 'the pod added');
      expect(events.at(-1)?.message).to.equal(`Pod ${kube.namespace}/watched-pod added`);
    } finally {
      await reader.close();
    }
  });

  /** Creates the manifest's ClusterRole and binds it to the user whose token the provider has. */
  async function bindToReader(manifest: string): Promise<void> {
    const role = loadYaml<V1ClusterRole>(readFileSync(manifest, 'utf8'));
    const rbac = kube.kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({ body: role });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${role.metadata?.name ?? ''}-test` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata?.name ?? '' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KUBE_READER_USER }],
      },
    });
  }

  it('lets the type act only once the operations ClusterRole is bound beside it: a pod deleted, a deployment scaled', async () => {
    const provider = await kube.store.ready(await kube.store.get(kube.provider.id), testEnv().logger);
    const pod = await kube.createPod('acted-on-pod');
    const labels = { app: 'acted-on' };
    const deployment = await kube.apps.createNamespacedDeployment({
      namespace: kube.namespace,
      body: { metadata: { name: 'acted-on' }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c0', image: 'nginx:1.25' }] } } } },
    });
    const deletePod = () => provider.runOperation?.('pod.delete', {
      ref: pod.metadata?.uid ?? '', alias: `${kube.namespace}/acted-on-pod`, parameters: { gracePeriodSeconds: 0 }, signal: AbortSignal.timeout(10_000),
    });
    const scale = () => provider.runOperation?.('deployment.scale', {
      ref: deployment.metadata?.uid ?? '', alias: `${kube.namespace}/acted-on`, parameters: { replicas: 3 }, signal: AbortSignal.timeout(10_000),
    });

    const refused = await deletePod()?.then(() => expect.fail('deleted with the reader role alone'), (error: unknown) => error);
    expect(String(refused)).to.match(/delete pods/);
    await bindToReader(OPERATIONS_MANIFEST);
    await until(() => deletePod()?.then(() => true, () => undefined), 'the operations binding to take effect', 10_000);
    await until(() => scale()?.then(() => true, () => undefined), 'the scale to be allowed', 10_000);
    const scaled = await kube.apps.readNamespacedDeployment({ namespace: kube.namespace, name: 'acted-on' });
    expect(scaled.spec?.replicas).to.equal(3);
    const gone = await kube.core.readNamespacedPod({ namespace: kube.namespace, name: 'acted-on-pod' }).then(() => false, (error: unknown) => (error as { code?: number }).code === 404);
    expect(gone, 'the pod is gone').to.equal(true);
  });

  it('grants nothing beyond what the type reads (secrets, say)', async () => {
    const core = kube.kube.kubeConfigFor(kube.kube.readerToken).makeApiClient(CoreV1Api);
    const error = await core.listSecretForAllNamespaces().then(() => expect.fail('listed secrets'), (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(403);
  });
});
