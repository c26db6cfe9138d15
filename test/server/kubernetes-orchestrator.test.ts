import { expect } from 'chai';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import type { Stoppable } from '../../src/core/lifecycle/stoppable';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { KubernetesOrchestrator } from '../../src/server/orchestrators/kubernetes-orchestrator';
import { FIELD_MANAGER, workerObjectName } from '../../src/server/orchestrators/worker-deployment';
import { removeProvider } from '../../src/server/provider-removal';
import { Supervisor } from '../../src/server/supervisor';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { capturedLogger, type CapturedLogger } from '../support/captured-logger';
import { DemoFixture } from '../support/demo-fixture';
import { uniqueName } from '../support/kube-fixture';
import { watchMost } from '../support/most-seen';
import { KubeletStandIn } from '../support/kubelet-stand-in';
import { testEnv } from '../support/test-env';
import { testKube } from '../support/test-kube';
import { until } from '../support/wait';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const MEMORY_LIMIT = 512 * 2 ** 20;

interface WorkerRow {
  id: string;
  status: string;
  pod_name: string | null;
  stop_reason: string | null;
}

/**
 * The kubernetes orchestrator against the real API server, with a stand-in for the controllers and the kubelet the
 * test's server lacks (see KubeletStandIn): the workers run from their pods' specs, as processes of this machine.
 */
describe('kubernetes orchestrator', function () {
  this.timeout(120_000);
  let demo: DemoFixture;
  let namespace: string;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let kubelet: KubeletStandIn;
  let redis: Redis;
  let queue: RefreshQueue;
  let supervision: Stoppable;
  let log: CapturedLogger;

  beforeEach(async () => {
    const kube = await testKube();
    const env = testEnv();
    core = kube.kubeConfig.makeApiClient(CoreV1Api);
    apps = kube.kubeConfig.makeApiClient(AppsV1Api);
    namespace = uniqueName('fleet-workers');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // The fleet's configuration, as a deployment of the fleet holds it.
    await core.createNamespacedConfigMap({
      namespace, body: { metadata: { name: 'provider-fleet' }, data: { REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: env.redisPrefix, LOG_LEVEL: 'warn' } },
    });
    await core.createNamespacedSecret({
      namespace, body: { metadata: { name: 'provider-fleet' }, stringData: { DATABASE_URL: env.databaseUrl, FLEET_ENCRYPTION_KEY: env.encryptionKey } },
    });
    kubelet = new KubeletStandIn(kube.kubeConfig, namespace);
    demo = await DemoFixture.start({ vms: 5, seed: 20 });
    await env.dataSource.query('UPDATE providers SET enabled = (id = $1)', [demo.provider.id]);
    redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
    queue = new RefreshQueue({ redis, connection: redis, prefix: env.redisPrefix, store: demo.store, fullThreshold: 100 });
    log = capturedLogger('info');
    const orchestrator = new KubernetesOrchestrator({
      kubeConfig: kube.kubeConfig, namespace, logger: log.logger, image: 'provider-fleet:test', configMap: 'provider-fleet', configSecret: 'provider-fleet',
      memoryLimitBytes: MEMORY_LIMIT, terminationGraceSeconds: 45,
    });
    const supervisor = new Supervisor({
      dataSource: env.dataSource, registry: new WorkerRegistry(env.dataSource, env.logger), orchestrator, logger: log.logger, queue,
      heartbeatTimeoutMs: 20_000,
    });
    supervision = supervisor.start({ provisionMs: 200, scanMs: 200 });
  });

  afterEach(async function () {
    // A failure's cause is often in what the supervisor and the workers said.
    if (this.currentTest?.state === 'failed') console.log(`${log.text()}\n${kubelet.output.join('\n')}`);
    await supervision.stop();
    await kubelet.stop();
    const env = testEnv();
    await env.dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
    await env.dataSource.query('UPDATE providers SET enabled = true');
    await queue.remove(demo.provider.id);
    await queue.close();
    redis.disconnect();
    await demo.close();
  });

  const workers = (): Promise<WorkerRow[]> => testEnv().dataSource.query(
    `SELECT id, status, pod_name, stop_reason FROM workers WHERE provider_id IS NOT DISTINCT FROM $1 AND role = 'refresh' ORDER BY id`, [demo.provider.id]);
  const runningWorker = async (notId?: string): Promise<WorkerRow | undefined> =>
    (await workers()).find((w) => w.status === 'running' && w.pod_name !== null && w.id !== notId);
  const exists = async (read: Promise<unknown>): Promise<boolean> => read.then(() => true, (error: unknown) => {
    if (error instanceof ApiException && error.code === 404) return false;
    throw error;
  });
  const deploymentOf = (workerId: string): Promise<boolean> => exists(apps.readNamespacedDeployment({ namespace, name: workerObjectName(workerId) }));
  const secretOf = (workerId: string): Promise<boolean> => exists(core.readNamespacedSecret({ namespace, name: workerObjectName(workerId) }));

  it('applies a Deployment and its Secret per worker; the worker registers from its pod, whose name its row records, and refreshes', async () => {
    const worker = await until(() => runningWorker(), 'a worker registered from its pod');
    const deployment = await apps.readNamespacedDeployment({ namespace, name: workerObjectName(worker.id) });
    expect(deployment.metadata?.labels).to.include({ 'provider-fleet/role': 'refresh', 'provider-fleet/provider': demo.provider.id, 'provider-fleet/worker': worker.id });
    expect(deployment.metadata?.managedFields?.map((f) => [f.manager, f.operation])).to.deep.include([FIELD_MANAGER, 'Apply']);
    expect(deployment.spec?.replicas).to.equal(1);
    expect(deployment.spec?.strategy?.type).to.equal('Recreate');
    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.resources?.limits).to.deep.equal({ memory: String(MEMORY_LIMIT) });
    expect(container?.args?.join(' ')).to.equal(`worker refresh --provider ${demo.provider.id} --worker-id ${worker.id} --secret-file /var/run/secrets/provider-fleet/registration-secret`);
    const secret = await core.readNamespacedSecret({ namespace, name: workerObjectName(worker.id) });
    expect(secret.metadata?.ownerReferences?.map((o) => o.uid)).to.deep.equal([deployment.metadata?.uid]);
    const [pod] = (await core.listNamespacedPod({ namespace, labelSelector: `provider-fleet/worker=${worker.id}` })).items;
    expect(worker.pod_name).to.equal(pod.metadata?.name);
    await until(async () => (await testEnv().dataSource.query(
      `SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND source = 'startup' AND status = 'ok'`, [demo.provider.id]))[0], 'the startup refresh');
  });

  it('replaces a worker whose pod is deleted, never with two at once, and removes the old Deployment and Secret', async () => {
    const first = await until(() => runningWorker(), 'a worker registered from its pod');
    const stopWatching = watchMost(async () => ({ live: (await workers()).filter((w) => w.status !== 'stopped').length }), 20);
    // As `kubectl delete pod --grace-period=0 --force`: the process is killed at once.
    await core.deleteNamespacedPod({ namespace, name: first.pod_name ?? '', gracePeriodSeconds: 0 });
    const second = await until(() => runningWorker(first.id), 'a replacement worker');
    const { live: mostLive } = await stopWatching();
    expect(second.pod_name).to.not.equal(first.pod_name);
    expect(mostLive).to.equal(1);
    const [old] = (await workers()).filter((w) => w.id === first.id);
    expect(old).to.include({ status: 'stopped', stop_reason: 'killed by pod deletion' });
    expect(await deploymentOf(first.id)).to.equal(false);
    expect(await secretOf(first.id)).to.equal(false);
  });

  it('replaces a worker whose container the OOM killer ended at its memory limit', async () => {
    const first = await until(() => runningWorker(), 'a worker registered from its pod');
    // As the kubelet reports it.
    await core.patchNamespacedPodStatus({
      namespace, name: first.pod_name ?? '',
      body: { status: { containerStatuses: [{ name: 'worker', image: 'provider-fleet:test', imageID: '', ready: false, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] } },
    }, mergePatch);
    await until(() => runningWorker(first.id), 'a replacement worker');
    const [old] = (await workers()).filter((w) => w.id === first.id);
    expect(old).to.include({ status: 'stopped', stop_reason: 'killed by SIGKILL (memory limit)' });
  });

  it('stops a deleted provider\'s worker in order and removes its Deployment and Secret', async () => {
    const first = await until(() => runningWorker(), 'a worker registered from its pod');
    await removeProvider({ store: demo.store, queue }, demo.provider.id);
    await until(async () => (await deploymentOf(first.id) || await secretOf(first.id) ? undefined : true), 'the Deployment and Secret to go');
    const old = await until(async () => {
      const [row]: WorkerRow[] = await testEnv().dataSource.query('SELECT id, status, pod_name, stop_reason FROM workers WHERE id = $1', [first.id]);
      return row.status === 'stopped' ? row : undefined;
    }, 'the worker to stop');
    expect(old.stop_reason).to.equal('provider disabled or deleted');
    await until(async () => ((await core.listNamespacedPod({ namespace })).items.length === 0 ? true : undefined), 'the pod to go');
  });
});
