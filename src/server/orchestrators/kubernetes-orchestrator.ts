import { constants } from 'node:os';
import {
  ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1ContainerStateTerminated, type V1Pod,
} from '@kubernetes/client-node';
import type { Logger } from '../../logging/logger';
import { kubeCallOptions } from '../../providers/kube-call-options';
import { withDeadline } from '../../providers/request-deadline';
import { Orchestrator, type RunningWorker, type StartedWorker, type TerminatedWorker, type WorkerCheck, type WorkerEnd, type WorkerSpec } from './orchestrator';
import {
  FIELD_MANAGER, MANAGED_SELECTOR, WORKER_LABELS, workerDeployment, workerObjectName, workerSecret, type WorkerPodSettings,
} from './worker-deployment';

export interface KubernetesOrchestratorOptions extends WorkerPodSettings {
  kubeConfig: KubeConfig;
  namespace: string;
  logger: Logger;
  /** The longest one call to the API server may take (default 10 s). */
  callTimeoutMs?: number;
}

/** What the API server showed at the start of a scan: one listing for the whole scan instead of a call per worker. */
interface Listed {
  pods: Map<string, V1Pod>;
  deployments: Set<string>;
}

const ALIVE: WorkerCheck = { alive: true };
const applyPatch = (options: ReturnType<typeof kubeCallOptions>) => setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, options);

/**
 * Workers as Kubernetes Deployments, one per worker (its row), through server-side apply: the Deployment runs one pod
 * of `fleet worker`, and a Secret owned by it holds the worker's one-time registration secret. A worker is alive while
 * the pod it registered from still runs its first container: a pod deleted, or a container that ended (the kubelet
 * may restart it, but a restarted worker cannot register again), means the worker ended, and how (an exit code, the
 * OOM killer at the memory limit, a deletion). Pods outlive the server that asked for them: the next leader's scans
 * find them by their rows.
 */
export class KubernetesOrchestrator extends Orchestrator {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly callTimeoutMs: number;
  private listed: Listed | undefined;

  constructor(private readonly options: KubernetesOrchestratorOptions) {
    super();
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.callTimeoutMs = options.callTimeoutMs ?? 10_000;
  }

  async provision(spec: WorkerSpec, secret: string): Promise<StartedWorker> {
    const { namespace } = this.options;
    const name = workerObjectName(spec.workerId);
    const deployment = await this.apps.patchNamespacedDeployment({
      name, namespace, body: workerDeployment(spec, this.options), fieldManager: FIELD_MANAGER, force: true,
    }, applyPatch(this.call()));
    const uid = deployment.metadata?.uid;
    if (!uid) throw new Error(`the API server answered deployment ${namespace}/${name} without its uid`);
    await this.core.patchNamespacedSecret({
      name, namespace, body: workerSecret(spec, secret, { uid }), fieldManager: FIELD_MANAGER, force: true,
    }, applyPatch(this.call()));
    this.options.logger.info({ event: 'orchestrator.deployment_applied', workerId: spec.workerId, deployment: name, namespace }, 'worker deployment applied');
    // The pod's name is known once its worker registers from it.
    return { pid: null, podName: null, host: null };
  }

  /**
   * Deletes the worker's Deployment and Secret: the cluster then deletes its pod, whose worker stops in order on the
   * SIGTERM (within the pod's grace period). `force` deletes the pod at once first, hung or not.
   */
  async deprovision(worker: RunningWorker, options: { force: boolean }): Promise<void> {
    const { namespace } = this.options;
    const name = workerObjectName(worker.workerId);
    if (options.force) {
      const pods = await this.core.listNamespacedPod({ namespace, labelSelector: `${WORKER_LABELS.worker}=${worker.workerId}` }, this.call());
      for (const pod of pods.items) {
        const podName = pod.metadata?.name;
        if (podName) await absentIsFine(this.core.deleteNamespacedPod({ name: podName, namespace, gracePeriodSeconds: 0 }, this.call()));
      }
    }
    await absentIsFine(this.apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' }, this.call()));
    await absentIsFine(this.core.deleteNamespacedSecret({ name, namespace }, this.call()));
  }

  /** Deployments and Secrets of workers that are not live (one that stopped by itself leaves its Deployment behind). */
  override async removeOthers(live: readonly RunningWorker[]): Promise<void> {
    const { namespace } = this.options;
    const wanted = new Set(live.map((w) => w.workerId));
    const [deployments, secrets] = await Promise.all([
      this.apps.listNamespacedDeployment({ namespace, labelSelector: MANAGED_SELECTOR }, this.call()),
      this.core.listNamespacedSecret({ namespace, labelSelector: MANAGED_SELECTOR }, this.call()),
    ]);
    const leftOver = new Set([...deployments.items, ...secrets.items].map((o) => o.metadata?.labels?.[WORKER_LABELS.worker]).filter((id): id is string => id !== undefined && !wanted.has(id)));
    for (const workerId of leftOver) {
      await this.deprovision({ workerId, pid: null, podName: null, host: null }, { force: false });
      this.options.logger.info({ event: 'orchestrator.deployment_removed', workerId, deployment: workerObjectName(workerId) }, 'deployment of a stopped worker removed');
    }
  }

  override async scanPrepare(): Promise<void> {
    const { namespace } = this.options;
    const [pods, deployments] = await Promise.all([
      this.core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR }, this.call()),
      this.apps.listNamespacedDeployment({ namespace, labelSelector: MANAGED_SELECTOR }, this.call()),
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
      const name = workerObjectName(worker.workerId);
      const exists = this.listed?.deployments.has(name)
        || await found(this.apps.readNamespacedDeployment({ name, namespace }, this.call(signal)));
      return exists ? ALIVE : { alive: false, end: { kind: 'unknown' } };
    }
    const pod = this.listed?.pods.get(worker.podName) ?? await orNull(this.core.readNamespacedPod({ name: worker.podName, namespace }, this.call(signal)));
    if (pod === null) return { alive: false, end: { kind: 'signal', signal: 'pod deletion' } };
    const end = endOf(pod);
    return end === null ? ALIVE : { alive: false, end };
  }

  /** The workers' pods outlive this server: the next leader finds them, and its scans judge them. */
  async terminate(): Promise<TerminatedWorker[]> {
    return [];
  }

  /** Options of one call: its deadline, within the caller's signal if any. */
  private call(signal?: AbortSignal): ReturnType<typeof kubeCallOptions> {
    return kubeCallOptions(withDeadline(signal, this.callTimeoutMs));
  }
}

/**
 * How the worker's process ended, if it did: its container terminated, or was restarted (the first run, the one
 * that registered, ended then). Null while that first run goes on.
 */
function endOf(pod: V1Pod): WorkerEnd | null {
  const status = pod.status?.containerStatuses?.find((c) => c.name === 'worker');
  const terminated = status?.state?.terminated ?? (status && status.restartCount > 0 ? status.lastState?.terminated : undefined);
  if (terminated) return endOfContainer(terminated);
  if (status && status.restartCount > 0) return { kind: 'unknown' };
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return { kind: 'unknown' };
  return null;
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
