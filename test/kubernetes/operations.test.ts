import { expect } from 'chai';
import type { V1Deployment } from '@kubernetes/client-node';
import type { TaskView } from '../../src/api/schemas/task-schemas';
import { ApiFixture } from '../support/api-fixture';
import { KubeFixture } from '../support/kube-fixture';
import { askOperation, OperationsWorkerFixture, taskEnded } from '../support/operation-tasks';

/**
 * The kubernetes type's operations through the API, run by the provider's operations worker against the real
 * kube-apiserver (no controllers, no kubelet: an unbound pod goes at once, a bound one stays terminating until a
 * kubelet would confirm, unless its grace period is 0; nothing makes a deployment's pods).
 */
describe('kubernetes: operations', function () {
  this.timeout(60_000);
  let api: ApiFixture;
  let kube: KubeFixture;
  let operations: OperationsWorkerFixture;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    api = await ApiFixture.start();
    kube = await KubeFixture.start();
    operations = new OperationsWorkerFixture(api, kube.store, kube.provider.id);
    await operations.start();
  });
  after(async () => {
    await operations?.close();
    await api?.close();
  });

  /** The stored row of the object of `table` named `name`, after a refresh of the provider. */
  async function stored(table: string, name: string): Promise<{ id: string; uid: string }> {
    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    const [row] = await kube.rows(table, 'name = $2 AND archived_at IS NULL', [name]);
    if (!row) throw new Error(`no stored ${table} row named ${name}`);
    return { id: String(row.id), uid: String(row.ems_ref) };
  }

  async function run(table: string, objectId: string, operation: string, parameters?: Record<string, unknown>): Promise<TaskView> {
    return taskEnded(api, await askOperation(api, table, objectId, operation, parameters));
  }

  async function podExists(name: string): Promise<{ terminating: boolean } | null> {
    const pod = await kube.core.readNamespacedPod({ namespace: kube.namespace, name }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 404) return null;
      throw error;
    });
    return pod === null ? null : { terminating: pod.metadata?.deletionTimestamp !== undefined };
  }

  function createDeployment(name: string, replicas: number): Promise<V1Deployment> {
    const labels = { app: name };
    return kube.apps.createNamespacedDeployment({
      namespace: kube.namespace,
      body: {
        metadata: { name },
        spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c0', image: 'nginx:1.25' }] } } },
      },
    });
  }

  it('deletes a pod; the targeted refresh it asks for removes its row, and no other', async () => {
    await kube.createPod('doomed');
    await kube.createPod('kept');
    const pod = await stored('container_pods', 'doomed');

    const task = await askOperation(api, 'container_pods', pod.id, 'pod.delete');
    expect(task).to.include({ objectRef: pod.uid, priority: 100 });
    const done = await taskEnded(api, task);
    expect(done).to.include({ state: 'succeeded', error: null });
    expect(done.result).to.deep.equal({ pod: `${kube.namespace}/doomed` });
    expect(await podExists('doomed')).to.equal(null);
    const [pending] = await api.refreshQueue.pending([kube.provider.id]);
    expect(pending.targets + (pending.full ? 1 : 0), 'the pod is to be read again').to.be.greaterThan(0);

    const outcome = await kube.refresh([{ collection: 'pods', ref: pod.uid }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.pods).to.include({ deleted: 1 });
    expect(await kube.names('container_pods')).to.include('kept').and.not.to.include('doomed');
  });

  it('deletes a pod on a node within the grace period asked for: 0 is at once, the pod\'s own leaves it terminating', async () => {
    await kube.createPod('bound-graceful', { nodeName: 'node-without-kubelet' });
    await kube.createPod('bound-at-once', { nodeName: 'node-without-kubelet' });
    const graceful = await stored('container_pods', 'bound-graceful');
    const atOnce = await stored('container_pods', 'bound-at-once');

    expect((await run('container_pods', graceful.id, 'pod.delete')).state).to.equal('succeeded');
    expect((await run('container_pods', atOnce.id, 'pod.delete', { gracePeriodSeconds: 0 })).state).to.equal('succeeded');
    expect(await podExists('bound-graceful'), 'waiting for a kubelet to stop its containers').to.deep.equal({ terminating: true });
    expect(await podExists('bound-at-once')).to.equal(null);
  });

  it('ends failed saying so when the pod is already gone, or has been replaced by another of its name', async () => {
    await kube.createPod('vanished');
    await kube.createPod('replaced');
    const vanished = await stored('container_pods', 'vanished');
    const replaced = await stored('container_pods', 'replaced');
    await kube.deletePod('vanished');
    await kube.deletePod('replaced');
    const successor = await kube.createPod('replaced');

    const gone = await run('container_pods', vanished.id, 'pod.delete');
    expect(gone).to.include({ state: 'failed', result: null, error: `pod ${kube.namespace}/vanished is gone: the cluster no longer has it` });
    const other = await run('container_pods', replaced.id, 'pod.delete');
    expect(other).to.include({ state: 'failed', error: `pod ${kube.namespace}/replaced is gone: another pod of that name has replaced it` });
    const survivor = await kube.core.readNamespacedPod({ namespace: kube.namespace, name: 'replaced' });
    expect(survivor.metadata?.uid, 'the new pod is left alone').to.equal(successor.metadata?.uid);
  });

  it('scales a deployment through its scale subresource; the refresh after it stores the new replicas', async () => {
    await createDeployment('web', 2);
    const deployment = await stored('container_deployments', 'web');
    expect((await kube.rows('container_deployments', 'id = $2', [deployment.id]))[0]).to.include({ replicas: 2 });

    const task = await askOperation(api, 'container_deployments', deployment.id, 'deployment.scale', { replicas: 5 });
    expect(task).to.include({ priority: 50 });
    const done = await taskEnded(api, task);
    expect(done).to.include({ state: 'succeeded', error: null });
    expect(done.result).to.deep.equal({ deployment: `${kube.namespace}/web`, replicas: 5 });
    expect((await kube.apps.readNamespacedDeployment({ namespace: kube.namespace, name: 'web' })).spec?.replicas).to.equal(5);

    const outcome = await kube.refresh([{ collection: 'deployments', ref: deployment.uid }]);
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect((await kube.rows('container_deployments', 'id = $2', [deployment.id]))[0]).to.include({ replicas: 5 });

    expect((await run('container_deployments', deployment.id, 'deployment.scale', { replicas: 0 })).result).to.include({ replicas: 0 });
    expect((await kube.apps.readNamespacedDeployment({ namespace: kube.namespace, name: 'web' })).spec?.replicas).to.equal(0);
  });

  it('does not scale a deployment re-created under the name of the one asked for', async () => {
    await createDeployment('api', 1);
    const deployment = await stored('container_deployments', 'api');
    await kube.apps.deleteNamespacedDeployment({ namespace: kube.namespace, name: 'api' });
    await createDeployment('api', 1);

    const done = await run('container_deployments', deployment.id, 'deployment.scale', { replicas: 3 });
    expect(done).to.include({ state: 'failed', error: `deployment ${kube.namespace}/api is gone: another deployment of that name has replaced it` });
    expect((await kube.apps.readNamespacedDeployment({ namespace: kube.namespace, name: 'api' })).spec?.replicas).to.equal(1);
  });

  it('refuses a scale without a count of replicas, or with a negative one', async () => {
    await createDeployment('refused', 1);
    const deployment = await stored('container_deployments', 'refused');
    for (const [parameters, error] of [[{}, 'body.parameters.replicas: is required'], [{ replicas: -1 }, 'body.parameters.replicas: must be >= 0']] as const) {
      const response = await api.post(`/api/v1/inventory/container_deployments/${deployment.id}/operations/deployment.scale`, { parameters });
      expect(response.statusCode, response.body).to.equal(400);
      expect((response.json() as { error: string }).error).to.equal(error);
    }
  });
});
