import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CoreV1Api, KubernetesObjectApi, loadAllYaml, loadYaml, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { KubernetesOrchestrator } from '../../src/server/orchestrators/kubernetes-orchestrator';
import { FIELD_MANAGER } from '../../src/server/orchestrators/worker-deployment';
import { uniqueName } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';
import { kubeConfigOf, testKube } from '../support/test-kube';

const BASE = join(__dirname, '..', '..', '..', 'deploy', 'fleet');

/** The objects of one manifest file, in the test's namespace. */
function objectsOf(file: string, namespace: string): KubernetesObject[] {
  return loadAllYaml(readFileSync(join(BASE, file), 'utf8')).map((object: KubernetesObject) => ({ ...object, metadata: { ...object.metadata, namespace } }));
}

/** The kustomize base of a whole fleet (deploy/fleet), against the real API server. */
describe('the fleet\'s Kubernetes manifests', function () {
  this.timeout(60_000);
  const resources = (): string[] => loadYaml<{ resources: string[] }>(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')).resources;

  it('lists every manifest of the folder in its kustomization', () => {
    const files = readdirSync(BASE).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml').sort();
    expect([...resources()].sort()).to.deep.equal(files);
  });

  it('passes a server-side dry run, every object of every manifest', async () => {
    const kube = await testKube();
    const namespace = uniqueName('fleet-deploy');
    await kube.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig);
    const kinds: string[] = [];
    for (const file of resources()) {
      for (const object of objectsOf(file, namespace)) {
        const answer = await client.patch(object, undefined, 'All', 'fleet-manifests-test', true, PatchStrategy.ServerSideApply);
        expect(answer.metadata?.name).to.equal(object.metadata?.name);
        kinds.push(`${object.kind}/${object.metadata?.name}`);
      }
    }
    expect(kinds).to.include.members([
      'ServiceAccount/provider-fleet', 'Role/provider-fleet-orchestrator', 'RoleBinding/provider-fleet-orchestrator', 'ConfigMap/provider-fleet',
      'Secret/provider-fleet', 'Deployment/provider-fleet-server', 'Service/provider-fleet',
    ]);
  });

  it('grants the server\'s service account what the kubernetes orchestrator does, in its namespace and nowhere else', async () => {
    const kube = await testKube();
    const namespace = uniqueName('fleet-deploy');
    const core = kube.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const client = KubernetesObjectApi.makeApiClient(kube.kubeConfig);
    for (const file of ['service-account.yaml', 'role.yaml', 'role-binding.yaml']) {
      for (const object of objectsOf(file, namespace)) await client.patch(object, undefined, undefined, 'fleet-manifests-test', true, PatchStrategy.ServerSideApply);
    }
    const { status } = await core.createNamespacedServiceAccountToken({ namespace, name: 'provider-fleet', body: { spec: { audiences: [], expirationSeconds: 600 } } });
    const { KubeConfig } = await import('@kubernetes/client-node');
    const asServer = kubeConfigOf(new KubeConfig(), kube.url, kube.caPem, status?.token ?? '');
    const orchestrator = (inNamespace: string): KubernetesOrchestrator => new KubernetesOrchestrator({
      kubeConfig: asServer, namespace: inNamespace, logger: testEnv().logger, image: 'provider-fleet:test', configMap: 'provider-fleet',
      configSecret: 'provider-fleet', memoryLimitBytes: undefined, terminationGraceSeconds: 45,
    });

    // Every call the orchestrator makes, as the account.
    const ours = orchestrator(namespace);
    const worker = { workerId: '4242', role: 'refresh', registeredAt: null, pid: null, podName: null, host: null } as const;
    await ours.provision({ workerId: worker.workerId, role: 'refresh', providerId: '1' }, 'not-a-real-secret');
    await ours.prepare();
    expect(await ours.scaleShared('event-handler', 2)).to.match(/^[0-9a-f]{64}$/);
    await ours.cleanup();
    await ours.scanPrepare();
    expect(await ours.checkWorker(worker, AbortSignal.timeout(5_000))).to.deep.equal({ alive: true });
    expect(await ours.checkWorker({ ...worker, podName: 'no-such-pod' }, AbortSignal.timeout(5_000))).to.deep.equal({ alive: false, end: { kind: 'signal', signal: 'pod deletion' } });
    await ours.scanCleanup();
    await ours.deprovision(worker, { force: true });
    await ours.removeOthers([]);
    expect(await ours.scaleShared('event-handler', 0)).to.equal(undefined);
    const deployments = await client.list('apps/v1', 'Deployment', namespace);
    expect(deployments.items.filter((d) => d.metadata?.managedFields?.some((f) => f.manager === FIELD_MANAGER))).to.deep.equal([]);

    // Nothing outside its namespace.
    const elsewhere = uniqueName('fleet-elsewhere');
    await core.createNamespace({ body: { metadata: { name: elsewhere } } });
    const refused = await orchestrator(elsewhere).provision({ workerId: '4243', role: 'event-handler', providerId: null }, 'x').then(() => null, (error: unknown) => error);
    expect(String(refused)).to.match(/403|forbidden/i);
  });
});
