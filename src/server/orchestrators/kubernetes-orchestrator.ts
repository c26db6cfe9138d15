import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import {
  ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions,
  type KubeConfig, type V1ContainerStateTerminated, type V1ContainerStatus, type V1Deployment, type V1Pod, type V1Secret,
} from '@kubernetes/client-node';
import { isShared, type SharedRoleName } from '../../core/workers/worker-role-facts';
import type { Logger } from '../../logging/logger';
import { kubeCallOptions } from '../../providers/kube-call-options';
import { withDeadline } from '../../providers/request-deadline';
import { Orchestrator, type RunningWorker, type StartedWorker, type TerminatedWorker, type WorkerCheck, type WorkerEnd, type WorkerSpec } from './orchestrator';
import {
  FIELD_MANAGER, JOIN_KEY, MANAGED_SELECTOR, WORKER_LABELS, sharedDeployment, sharedObjectName, sharedSecret, workerDeployment, workerObjectName,
  workerSecret, type WorkerPodSettings,
} from './worker-deployment';

export interface KubernetesOrchestratorOptions extends WorkerPodSettings {
  kubeConfig: KubeConfig;
  namespace: string;
  logger: Logger;
  /** The longest one call to the API server may take (default 10 s). */
  callTimeoutMs?: number;
}

/** The Deployments and Secrets the API server showed at the start of a provisioning pass, for the whole pass. */
interface Workloads {
  deployments: V1Deployment[];
  secrets: V1Secret[];
}

/** What the API server showed at the start of a scan: one listing for the whole scan instead of a call per worker. */
interface Listed {
  pods: Map<string, V1Pod>;
  deployments: Set<string>;
}

const ALIVE: WorkerCheck = { alive: true };
const applyPatch = (options: Awaited<ReturnType<typeof kubeCallOptions>>) => setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, options);

/**
 * Workers as Kubernetes Deployments, through server-side apply. A per-provider worker has a Deployment of its own
 * (named after its row): one pod of `fleet worker`, and a Secret owned by it holding the worker's one-time
 * registration secret. Each shared role has one Deployment scaled to the role's count, whose pods claim the role's
 * requested rows with the join key in the role's Secret. A worker is alive while the pod it registered from still
 * runs the container's run that registered: a pod deleted, or a run that ended (the kubelet may restart the
 * container, but a restarted per-provider worker cannot register again), means the worker ended, and how (an exit
 * code, the OOM killer at the memory limit, a deletion). Pods outlive the server that asked for them: the next
 * leader's scans find them by their rows.
 */
export class KubernetesOrchestrator extends Orchestrator {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly callTimeoutMs: number;
  private listed: Listed | undefined;
  private workloads: Workloads | undefined;
  /** The count each shared role's Deployment was applied with while this orchestrator ran (a new leader applies once). */
  private readonly scaled = new Map<SharedRoleName, number>();

  constructor(private readonly options: KubernetesOrchestratorOptions) {
    super();
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
  }

  async provision(spec: WorkerSpec, secret: string): Promise<StartedWorker> {
    const name = workerObjectName(spec.workerId);
    await this.applyWorkload(name, workerDeployment(spec, this.options), (owner) => workerSecret(spec, secret, owner));
    this.options.logger.info({ event: 'orchestrator.deployment_applied', workerId: spec.workerId, deployment: name, namespace: this.options.namespace }, 'worker deployment applied');
    // The pod's name is known once its worker registers from it.
    return { pid: null, podName: null, host: null };
  }

  /**
   * A per-provider worker: deletes its Deployment and Secret, and the cluster then its pod, whose worker stops in
   * order on the SIGTERM (within the pod's grace period). A shared role's worker: deletes its pod, and the role's
   * Deployment makes another, which claims the row requested in its place. `force` deletes the pod at once, hung or not.
   */
  async deprovision(worker: RunningWorker, options: { force: boolean }): Promise<void> {
    const { namespace } = this.options;
    const grace = options.force ? { gracePeriodSeconds: 0 } : {};
    if (isShared(worker.role)) {
      if (worker.podName !== null) await absentIsFine(this.core.deleteNamespacedPod({ name: worker.podName, namespace, ...grace }, await this.call()));
      return;
    }
    if (options.force) {
      const pods = await this.core.listNamespacedPod({ namespace, labelSelector: `${WORKER_LABELS.worker}=${worker.workerId}` }, await this.call());
      for (const pod of pods.items) {
        const podName = pod.metadata?.name;
        if (podName) await absentIsFine(this.core.deleteNamespacedPod({ name: podName, namespace, ...grace }, await this.call()));
      }
    }
    await this.deleteWorkload(workerObjectName(worker.workerId));
  }

  /** One listing of the Deployments and Secrets for the pass. */
  override async prepare(): Promise<void> {
    this.workloads = await this.listWorkloads();
  }

  override async cleanup(): Promise<void> {
    this.workloads = undefined;
  }

  /**
   * The role's Deployment at `count` replicas, with its join key, applied once per count (and again when it or its
   * Secret is gone); at 0, removed. Answers the join key (undefined at 0: no rows are requested then).
   */
  override async scaleShared(role: SharedRoleName, count: number): Promise<string | undefined> {
    const { logger } = this.options;
    const name = sharedObjectName(role);
    const { deployments, secrets } = this.workloads ?? await this.listWorkloads();
    const listed = deployments.find((d) => d.metadata?.name === name);
    const secret = secrets.find((d) => d.metadata?.name === name);
    if (count === 0) {
      this.scaled.delete(role);
      if (!listed && !secret) return undefined;
      await this.deleteWorkload(name);
      logger.info({ event: 'orchestrator.deployment_removed', workerRole: role, deployment: name }, `${role} deployment removed: no worker of the role is wanted`);
      return undefined;
    }
    const stored = secret?.data?.[JOIN_KEY];
    const joinKey = stored === undefined ? randomBytes(32).toString('hex') : Buffer.from(stored, 'base64').toString('utf8');
    if (listed && secret && listed.spec?.replicas === count && this.scaled.get(role) === count) return joinKey;
    await this.applyWorkload(name, sharedDeployment(role, count, this.options), (owner) => sharedSecret(role, joinKey, owner));
    this.scaled.set(role, count);
    logger.info({ event: 'orchestrator.deployment_scaled', workerRole: role, deployment: name, replicas: count }, `${role} deployment applied at ${count} replicas`);
    return joinKey;
  }

  /** Deployments and Secrets of workers that are not live (one that stopped by itself leaves its Deployment behind). */
  override async removeOthers(live: readonly RunningWorker[]): Promise<void> {
    const wanted = new Set(live.map((w) => w.workerId));
    const { deployments, secrets } = this.workloads ?? await this.listWorkloads();
    // A shared role's Deployment and Secret name no worker: scaleShared keeps them.
    const leftOver = new Set([...deployments, ...secrets].map((o) => o.metadata?.labels?.[WORKER_LABELS.worker]).filter((id): id is string => id !== undefined && !wanted.has(id)));
    for (const workerId of leftOver) {
      await this.deleteWorkload(workerObjectName(workerId));
      this.options.logger.info({ event: 'orchestrator.deployment_removed', workerId, deployment: workerObjectName(workerId) }, 'deployment of a stopped worker removed');
    }
  }

  override async scanPrepare(): Promise<void> {
    const { namespace } = this.options;
    const options = await this.call();
    const [pods, deployments] = await Promise.all([
      this.core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR }, options),
      this.apps.listNamespacedDeployment({ namespace, labelSelector: MANAGED_SELECTOR }, options),
    ]);
    this.listed = {
      pods: new Map(pods.items.map((pod) => [pod.metadata?.name ?? '', pod])),
      deployments: new Set(deployments.items.map((d) => d.metadata?.name ?? '')),
    };
  }

  override async scanCleanup(): Promise<void> {
    this.listed = undefined;
  }

  /**
   * From the scan's listing; what it lacks is asked for once more, as it may have come since (a worker that
   * registered from a pod newer than the listing).
   */
  async checkWorker(worker: RunningWorker, signal: AbortSignal): Promise<WorkerCheck> {
    const { namespace } = this.options;
    if (worker.podName === null) {
      // Not registered yet: its Deployment stands for it (the registration deadline covers a pod that never comes).
      const name = isShared(worker.role) ? sharedObjectName(worker.role) : workerObjectName(worker.workerId);
      const exists = this.listed?.deployments.has(name)
        || await found(this.apps.readNamespacedDeployment({ name, namespace }, await this.call(signal)));
      return exists ? ALIVE : { alive: false, end: { kind: 'unknown' } };
    }
    const pod = this.listed?.pods.get(worker.podName) ?? await orNull(this.core.readNamespacedPod({ name: worker.podName, namespace }, await this.call(signal)));
    if (pod === null) return { alive: false, end: { kind: 'signal', signal: 'pod deletion' } };
    // A scaled pod's restarted container claims a row of its own: only a run later than this worker's claim ends it.
    const end = endOf(pod, isShared(worker.role) ? worker.registeredAt : null);
    return end === null ? ALIVE : { alive: false, end };
  }

  /** The workers' pods outlive this server: the next leader finds them, and its scans judge them. */
  async terminate(): Promise<TerminatedWorker[]> {
    return [];
  }

  /** Applies a Deployment, then its Secret, owned by it. */
  private async applyWorkload(name: string, deployment: V1Deployment, secretOwnedBy: (owner: { uid: string }) => V1Secret): Promise<void> {
    const { namespace } = this.options;
    const applied = await this.apps.patchNamespacedDeployment({ name, namespace, body: deployment, fieldManager: FIELD_MANAGER, force: true }, applyPatch(await this.call()));
    const uid = applied.metadata?.uid;
    if (!uid) throw new Error(`the API server answered deployment ${namespace}/${name} without its uid`);
    await this.core.patchNamespacedSecret({ name, namespace, body: secretOwnedBy({ uid }), fieldManager: FIELD_MANAGER, force: true }, applyPatch(await this.call()));
  }

  /** A Deployment and its Secret (which a cluster's garbage collector would remove with it, but may take its time). */
  private async deleteWorkload(name: string): Promise<void> {
    const { namespace } = this.options;
    await absentIsFine(this.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' }, await this.call()));
    await absentIsFine(this.core.deleteNamespacedSecret({ name, namespace }, await this.call()));
  }

  private async listWorkloads(): Promise<Workloads> {
    const { namespace } = this.options;
    const options = await this.call();
    const [deployments, secrets] = await Promise.all([
      this.apps.listNamespacedDeployment({ namespace, labelSelector: MANAGED_SELECTOR }, options),
      this.core.listNamespacedSecret({ namespace, labelSelector: MANAGED_SELECTOR }, options),
    ]);
    return { deployments: deployments.items, secrets: secrets.items };
  }

  /** Options of one call: its deadline, within the caller's signal if any. */
  private call(signal?: AbortSignal): ReturnType<typeof kubeCallOptions> {
    return kubeCallOptions(withDeadline(signal, this.callTimeoutMs));
  }
}

/**
 * How the worker's process ended, if it did: its container terminated, or was restarted since the run that
 * registered it. Null while that run goes on.
 */
function endOf(pod: V1Pod, claimedAt: Date | null): WorkerEnd | null {
  const status = pod.status?.containerStatuses?.find((c) => c.name === 'worker');
  const restarted = status !== undefined && restartedSince(status, claimedAt);
  const terminated = status?.state?.terminated ?? (restarted ? status.lastState?.terminated : undefined);
  if (terminated) return endOfContainer(terminated);
  if (restarted) return { kind: 'unknown' };
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return { kind: 'unknown' };
  return null;
}

/**
 * Whether the container was restarted after the run that registered the worker: any restart, as only the first run
 * can register with a one-time secret, unless the worker claimed its row (`claimedAt`) from a run that started no
 * later. The kubelet's times are whole seconds: a restart within the second of a claim goes unseen here, and the
 * worker's missing heartbeats tell instead.
 */
function restartedSince(status: V1ContainerStatus, claimedAt: Date | null): boolean {
  if (status.restartCount === 0) return false;
  const runStarted = status.state?.running?.startedAt;
  return claimedAt === null || runStarted === undefined || runStarted.getTime() > claimedAt.getTime();
}

function endOfContainer(terminated: V1ContainerStateTerminated): WorkerEnd {
  if (terminated.reason === 'OOMKilled') return { kind: 'signal', signal: 'SIGKILL (memory limit)' };
  const signalNumber = terminated.signal ?? (terminated.exitCode > 128 ? terminated.exitCode - 128 : undefined);
  const signal = signalNumber === undefined ? undefined : Object.entries(constants.signals).find(([, n]) => n === signalNumber)?.[0];
  return signal ? { kind: 'signal', signal } : { kind: 'exited', code: terminated.exitCode };
}

async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error: unknown) {
    if (error instanceof ApiException && error.code === 404) return null;
    throw error;
  }
}

async function found(call: Promise<unknown>): Promise<boolean> {
  return (await orNull(call)) !== null;
}

async function absentIsFine(call: Promise<unknown>): Promise<void> {
  await orNull(call);
}
