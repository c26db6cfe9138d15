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

/** The ClusterRole the README tells operators to bind to the provider's token: enough for the type, and no more. */
describe('kubernetes: the provider\'s ClusterRole', () => {
  let kube: KubeFixture;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    await kube.createPod('reader-pod', { labels: { app: 'reader' } });
    await kube.markRunning('reader-pod', '10.244.7.1', [runningStatus('c0', 'nginx:1.25')]);
    const role = loadYaml<V1ClusterRole>(readFileSync(MANIFEST, 'utf8'));
    const rbac = kube.kube.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({ body: role });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${role.metadata?.name ?? ''}-test` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata?.name ?? '' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: KUBE_READER_USER }],
      },
    });
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

  it('grants nothing beyond what the type reads (secrets, say)', async () => {
    const core = kube.kube.kubeConfigFor(kube.kube.readerToken).makeApiClient(CoreV1Api);
    const error = await core.listSecretForAllNamespaces().then(() => expect.fail('listed secrets'), (e: unknown) => e);
    expect((error as { code?: number }).code).to.equal(403);
  });
});
