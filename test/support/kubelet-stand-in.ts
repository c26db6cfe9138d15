import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import {
  ApiException, AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1ContainerStatus, type V1Deployment,
} from '@kubernetes/client-node';
import { MANAGED_SELECTOR } from '../../src/server/orchestrators/worker-deployment';
import { isolatedEnv } from './child-env';
import { sleep } from './wait';

const FLEET = join(__dirname, '..', '..', '..', 'bin', 'fleet');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** One pod's container as run here: its process, and the folder its mounted secrets were written to. */
interface RunningContainer {
  process: ChildProcess;
  mounts: string;
}

/**
 * What a cluster's controllers and kubelet would do for the fleet's worker Deployments, which the test's API server
 * (with neither) leaves undone: for a Deployment with fewer pods than its replicas, it creates pods from the template
 * (as its ReplicaSet would; with more, it deletes the newest) and runs its container's command as a process of this machine (`fleet` from the build) with the
 * container's environment (its ConfigMap and Secret, POD_NAME) and its Secret volume written to a folder of its
 * own; it reports the container's state in the pod's status, running and then terminated with its exit code or
 * signal. A pod deleted, or whose Deployment is deleted, has its process sent SIGTERM (the grace period of a
 * deletion), and is gone from the API once its process ended; one deleted without a grace period has it killed.
 */
export class KubeletStandIn {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly containers = new Map<string, RunningContainer>();
  private running = true;
  private readonly loop: Promise<void>;
  /** The workers' log lines, kept rather than printed (warnings the tests provoke would read as failures). */
  readonly output: string[] = [];

  constructor(kubeConfig: KubeConfig, private readonly namespace: string) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.loop = (async () => {
      while (this.running) {
        await this.sync().catch((error: unknown) => this.output.push(`kubelet stand-in: ${String(error)}`));
        await sleep(100);
      }
    })();
  }

  /** The process running the container of `podName`, if it runs. */
  processOf(podName: string): ChildProcess | undefined {
    return this.containers.get(podName)?.process;
  }

  /** Stops syncing and ends every container it started. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.all([...this.containers.keys()].map((name) => this.endContainer(name, 'SIGKILL')));
  }

  private async sync(): Promise<void> {
    const [deployments, pods] = await Promise.all([
      this.apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector: MANAGED_SELECTOR }),
      this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: MANAGED_SELECTOR }),
    ]);
    const deploymentNames = new Set(deployments.items.map((d) => d.metadata?.name));
    // Pods listed, and those started in this round (after the listing).
    const podNames = new Set(pods.items.map((p) => p.metadata?.name));
    for (const deployment of deployments.items) {
      const owned = pods.items.filter((pod) => !pod.metadata?.deletionTimestamp && pod.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid));
      const replicas = deployment.spec?.replicas ?? 1;
      for (let i = owned.length; i < replicas; i += 1) {
        const started = await this.startPod(deployment);
        if (started === undefined) break;
        podNames.add(started);
      }
      // Scaled down: the newest go, as a ReplicaSet chooses.
      for (const pod of owned.slice(replicas).reverse()) await this.core.deleteNamespacedPod({ namespace: this.namespace, name: pod.metadata?.name ?? '' });
    }
    for (const pod of pods.items) {
      const name = pod.metadata?.name ?? '';
      const owner = pod.metadata?.ownerReferences?.[0]?.name;
      // Deleted without a grace period (forced), the API server may still show the pod a moment: killed at once.
      if (pod.metadata?.deletionGracePeriodSeconds === 0) await this.endContainer(name, 'SIGKILL');
      else if (pod.metadata?.deletionTimestamp || !deploymentNames.has(owner)) await this.deletePod(name);
    }
    // Pods deleted at once (a grace period of 0) are gone from the API: their processes are killed.
    for (const name of this.containers.keys()) if (!podNames.has(name)) await this.endContainer(name, 'SIGKILL');
  }

  /**
   * Creates a pod of the Deployment and starts its container; answers the pod's name, or undefined while a Secret its
   * container needs is not there yet (the kubelet waits for it; so does the stand-in, a round later).
   */
  private async startPod(deployment: V1Deployment): Promise<string | undefined> {
    const template = deployment.spec?.template;
    const container = template?.spec?.containers[0];
    if (!template || !container) throw new Error(`deployment ${deployment.metadata?.name} has no container`);
    const name = `${deployment.metadata?.name}-${randomBytes(3).toString('hex')}`;
    const files = new Map<string, Buffer>();
    let args = container.args ?? [];
    const mounts = join(tmpdir(), `fleet-pod-${name}`);
    for (const volume of template.spec?.volumes ?? []) {
      const mount = container.volumeMounts?.find((m) => m.name === volume.name);
      if (!volume.secret?.secretName || !mount) continue;
      const secret = await this.readSecret(volume.secret.secretName);
      if (secret === undefined) return undefined;
      for (const [key, value] of Object.entries(secret)) files.set(key, value);
      args = args.map((arg) => arg.replace(mount.mountPath, mounts));
    }
    const env: NodeJS.ProcessEnv = { POD_NAME: name };
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef?.name) Object.assign(env, (await this.core.readNamespacedConfigMap({ namespace: this.namespace, name: source.configMapRef.name })).data);
      if (source.secretRef?.name) {
        const secret = await this.readSecret(source.secretRef.name);
        if (secret === undefined) return undefined;
        for (const [key, value] of Object.entries(secret)) env[key] = value.toString('utf8');
      }
    }
    await this.core.createNamespacedPod({
      namespace: this.namespace,
      body: {
        metadata: {
          name, labels: template.metadata?.labels,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata?.name ?? '', uid: deployment.metadata?.uid ?? '' }],
        },
        // On a node, as a scheduler would place it: a pod on none is deleted at once, without its grace period.
        spec: { ...template.spec, nodeName: 'kubelet-stand-in', containers: template.spec?.containers ?? [] },
      },
    });
    mkdirSync(mounts, { mode: 0o700 });
    for (const [key, value] of files) writeFileSync(join(mounts, key), value, { mode: 0o400 });
    const child = spawn(process.execPath, [FLEET, ...args], { env: isolatedEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (line) => this.output.push(line));
    this.containers.set(name, { process: child, mounts });
    child.once('exit', (code, signal) => {
      this.report(name, container.image ?? '', {
        terminated: { exitCode: code ?? 128 + signalNumber(signal), ...(signal ? { signal: signalNumber(signal), reason: 'Error' } : {}) },
      }).catch(() => undefined); // a pod deleted meanwhile has no status to report
    });
    await this.report(name, container.image ?? '', { running: { startedAt: new Date() } });
    return name;
  }

  /** A Secret's data, or undefined while it does not exist. */
  private async readSecret(name: string): Promise<Record<string, Buffer> | undefined> {
    try {
      const secret = await this.core.readNamespacedSecret({ namespace: this.namespace, name });
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
    } catch (error: unknown) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  private async report(podName: string, image: string, state: V1ContainerStatus['state']): Promise<void> {
    const terminated = state?.terminated !== undefined;
    await this.core.patchNamespacedPodStatus({
      namespace: this.namespace, name: podName,
      body: {
        status: {
          // A container that ended leaves its pod Running: the kubelet would restart it (the policy of a Deployment).
          phase: 'Running',
          containerStatuses: [{ name: 'worker', image, imageID: '', ready: !terminated, restartCount: 0, state }],
        },
      },
    }, mergePatch);
  }

  /** As a deletion's grace period: SIGTERM, and the pod is gone once its process ended. */
  private async deletePod(name: string): Promise<void> {
    const container = this.containers.get(name);
    if (container && container.process.exitCode === null && container.process.signalCode === null) {
      container.process.kill('SIGTERM');
      return;
    }
    await this.endContainer(name, 'SIGKILL');
    try {
      await this.core.deleteNamespacedPod({ namespace: this.namespace, name, gracePeriodSeconds: 0 });
    } catch (error: unknown) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
    }
  }

  private async endContainer(name: string, signal: NodeJS.Signals): Promise<void> {
    const container = this.containers.get(name);
    if (!container) return;
    this.containers.delete(name);
    const { process: child } = container;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(container.mounts, { recursive: true, force: true });
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}
