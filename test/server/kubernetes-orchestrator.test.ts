import { expect } from 'chai';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import type { Stoppable } from '../../src/core/lifecycle/stoppable';
import { RefreshQueue } from '../../src/queues/refresh-queue';
import { KubernetesOrchestrator } from '../../src/server/orchestrators/kubernetes-orchestrator';
import { FIELD_MANAGER, sharedObjectName, workerObjectName } from '../../src/server/orchestrators/worker-deployment';
import { removeProvider } from '../../src/server/provider-removal';
import { Supervisor } from '../../src/server/supervisor';
import type { WorkerPlan } from '../../src/server/worker-plan';
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
  let supervision: Stoppable | undefined;
  let log: CapturedLogger;
  let supervise: (plan?: WorkerPlan) => void;
  let orchestrator: KubernetesOrchestrator;

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
    orchestrator = new KubernetesOrchestrator({
      kubeConfig: kube.kubeConfig, namespace, logger: log.logger, image: 'provider-fleet:test', configMap: 'provider-fleet', configSecret: 'provider-fleet',
      memoryLimitBytes: MEMORY_LIMIT, terminationGraceSeconds: 45,
    });
    supervise = (plan) => {
      const supervisor = new Supervisor({
        dataSource: env.dataSource, registry: new WorkerRegistry(env.dataSource, env.logger), orchestrator, logger: log.logger, queue,
        heartbeatTimeoutMs: 20_000, plan,
      });
      supervision = supervisor.start({ provisionMs: 200, scanMs: 200 });
    };
  });

  afterEach(async function () {
    // A failure's cause is often in what the supervisor and the workers said.
    if (this.currentTest?.state === 'failed') console.log(`${log.text()}\n${kubelet.output.join('\n')}`);
    await supervision?.stop();
    supervision = undefined;
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
    supervise();
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
    supervise();
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
    supervise();
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
    supervise();
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

  it('runs a shared role as one Deployment scaled to its count, whose pods claim its rows, replaces a deleted pod\'s worker through it, and removes it when unwanted', async () => {
    // Two event handlers while any provider has a refresh worker.
    supervise({ providerRoles: () => ['refresh'], sharedWorkers: [{ role: 'event-handler', count: 2, serving: 'refresh' }] });
    const [{ before }]: { before: string }[] = await testEnv().dataSource.query('SELECT coalesce(max(id), 0)::text AS before FROM workers');
    const handlers = (): Promise<WorkerRow[]> => testEnv().dataSource.query(
      `SELECT id, status, pod_name, stop_reason FROM workers WHERE role = 'event-handler' AND id > $1 ORDER BY id`, [before]);
    const claimed = async (): Promise<WorkerRow[]> => (await handlers()).filter((w) => w.status === 'running' && w.pod_name !== null);
    const first = await until(async () => ((await claimed()).length === 2 ? claimed() : undefined), 'two event handlers claimed by pods');
    const name = sharedObjectName('event-handler');
    const deployment = await apps.readNamespacedDeployment({ namespace, name });
    expect(deployment.spec?.replicas).to.equal(2);
    expect(deployment.metadata?.labels).to.deep.equal({ 'app.kubernetes.io/managed-by': 'provider-fleet', 'provider-fleet/role': 'event-handler' });
    expect(deployment.spec?.template.spec?.containers[0].args?.join(' ')).to.equal('worker event-handler --join-key-file /var/run/secrets/provider-fleet/join-key');
    const secret = await core.readNamespacedSecret({ namespace, name });
    expect(secret.metadata?.ownerReferences?.map((o) => o.uid)).to.deep.equal([deployment.metadata?.uid]);
    expect(Buffer.from(secret.data?.['join-key'] ?? '', 'base64').toString()).to.match(/^[0-9a-f]{64}$/);
    // One Deployment for the role, none per worker; each pod claimed one row.
    const roleDeployments = await apps.listNamespacedDeployment({ namespace, labelSelector: 'provider-fleet/role=event-handler' });
    expect(roleDeployments.items.map((d) => d.metadata?.name)).to.deep.equal([name]);
    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'provider-fleet/role=event-handler' });
    expect(first.map((w) => w.pod_name).sort()).to.deep.equal(pods.items.map((p) => p.metadata?.name).sort());

    const stopWatching = watchMost(async () => ({ live: (await handlers()).filter((w) => w.status !== 'stopped').length }), 20);
    const [gone, kept] = first;
    await core.deleteNamespacedPod({ namespace, name: gone.pod_name ?? '', gracePeriodSeconds: 0 });
    const replacement = await until(async () => (await claimed()).find((w) => w.id !== gone.id && w.id !== kept.id), 'a replacement event handler');
    const { live: mostLive } = await stopWatching();
    expect(mostLive).to.equal(2);
    expect(replacement.pod_name).to.not.be.oneOf([gone.pod_name, kept.pod_name]);
    expect((await handlers()).find((w) => w.id === gone.id)).to.include({ status: 'stopped', stop_reason: 'killed by pod deletion' });
    expect((await handlers()).find((w) => w.id === kept.id)).to.include({ status: 'running', pod_name: kept.pod_name });
    expect((await apps.readNamespacedDeployment({ namespace, name })).metadata?.uid).to.equal(deployment.metadata?.uid);

    // No provider with a refresh worker: no event handler is wanted.
    await testEnv().dataSource.query('UPDATE providers SET enabled = false WHERE id = $1', [demo.provider.id]);
    await until(async () => ((await handlers()).every((w) => w.status === 'stopped') ? true : undefined), 'every event handler to stop');
    await until(async () => (await exists(apps.readNamespacedDeployment({ namespace, name })) || await exists(core.readNamespacedSecret({ namespace, name })) ? undefined : true),
      'the role\'s Deployment and Secret to go');
  });

  it('judges a worker by the container run it registered from: any restart ends a per-provider worker, only a later one a claimed worker', async () => {
    // A pod none of the fleet's Deployments owns, whose status the test reports as a kubelet would.
    const podName = 'restarted-worker';
    await core.createNamespacedPod({ namespace, body: { metadata: { name: podName }, spec: { nodeName: 'elsewhere', containers: [{ name: 'worker', image: 'provider-fleet:test' }] } } });
    const runStarted = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    await core.patchNamespacedPodStatus({
      namespace, name: podName,
      body: { status: { containerStatuses: [{
        name: 'worker', image: 'provider-fleet:test', imageID: '', ready: true, restartCount: 1,
        state: { running: { startedAt: runStarted } }, lastState: { terminated: { exitCode: 3 } },
      }] } },
    }, mergePatch);
    const worker = (role: 'refresh' | 'event-handler', registeredAt: Date) => ({ workerId: '1', role, registeredAt, pid: null, podName, host: null });
    const beforeRun = new Date(runStarted.getTime() - 30_000);
    const duringRun = new Date(runStarted.getTime() + 2_000);
    const check = (w: ReturnType<typeof worker>) => orchestrator.checkWorker(w, AbortSignal.timeout(5_000));
    expect(await check(worker('event-handler', beforeRun))).to.deep.equal({ alive: false, end: { kind: 'exited', code: 3 } });
    expect(await check(worker('event-handler', duringRun))).to.deep.equal({ alive: true });
    expect(await check(worker('refresh', duringRun))).to.deep.equal({ alive: false, end: { kind: 'exited', code: 3 } });
  });
});
