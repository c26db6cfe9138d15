import type { V1Deployment, V1Secret } from '@kubernetes/client-node';
import type { SharedRoleName } from '../../core/workers/worker-role-facts';
import type { WorkerSpec } from './orchestrator';

/** Labels on everything the kubernetes orchestrator makes, and the key of the worker each belongs to. */
export const WORKER_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  role: 'provider-fleet/role',
  provider: 'provider-fleet/provider',
  worker: 'provider-fleet/worker',
} as const;
export const MANAGED_BY = 'provider-fleet';
/** Selects what this fleet's orchestrator made, and nothing else in the namespace. */
export const MANAGED_SELECTOR = `${WORKER_LABELS.managedBy}=${MANAGED_BY}`;
/** The field manager of the orchestrator's server-side applies. */
export const FIELD_MANAGER = 'provider-fleet-orchestrator';

/** Where a worker's container finds its one-time registration secret, or its role's join key (a volume of its Secret). */
const SECRET_DIR = '/var/run/secrets/provider-fleet';
const SECRET_KEY = 'registration-secret';
/** The key of a shared role's Secret that holds the join key. */
export const JOIN_KEY = 'join-key';

export interface WorkerPodSettings {
  image: string;
  /** The fleet's configuration, as the environment of every worker's container. */
  configMap: string;
  configSecret: string;
  /** The container's memory limit; the supervisor asks a worker to stop well before, at its threshold. */
  memoryLimitBytes: number | undefined;
  /** How long a stopping worker may take before its container is killed: its own stop timeout and some. */
  terminationGraceSeconds: number;
  /** More arguments of `fleet worker`. */
  workerArgs?: string[];
}

/** The Deployment and Secret of one worker are named after its row, so that they name exactly one worker. */
export function workerObjectName(workerId: string): string {
  return `fleet-worker-${workerId}`;
}

/** The scaled Deployment and Secret of a shared role's workers. */
export function sharedObjectName(role: SharedRoleName): string {
  return `fleet-${role}`;
}

function labelsOf(spec: WorkerSpec): Record<string, string> {
  return {
    [WORKER_LABELS.managedBy]: MANAGED_BY,
    [WORKER_LABELS.role]: spec.role,
    ...(spec.providerId === null ? {} : { [WORKER_LABELS.provider]: spec.providerId }),
    [WORKER_LABELS.worker]: spec.workerId,
  };
}

/**
 * One worker's Deployment: one replica of `fleet worker`, its registration secret mounted from the worker's Secret,
 * its pod's name given to it (its row records it when it registers). Recreate, never a rolling update: a new pod of a
 * provider's worker must not start while the old one still runs.
 */
export function workerDeployment(spec: WorkerSpec, settings: WorkerPodSettings): V1Deployment {
  const name = workerObjectName(spec.workerId);
  const provider = spec.providerId === null ? [] : ['--provider', spec.providerId];
  return deployment({
    name, labels: labelsOf(spec), replicas: 1, strategy: 'Recreate',
    selector: { [WORKER_LABELS.worker]: spec.workerId, [WORKER_LABELS.managedBy]: MANAGED_BY },
    args: ['worker', spec.role, ...provider, '--worker-id', spec.workerId, '--secret-file', `${SECRET_DIR}/${SECRET_KEY}`],
  }, settings);
}

/**
 * A shared role's Deployment, scaled to the role's count: each pod claims one of the role's requested rows with the
 * join key mounted from the role's Secret. Its workers may overlap (they share the work), so a rolling update.
 */
export function sharedDeployment(role: SharedRoleName, replicas: number, settings: WorkerPodSettings): V1Deployment {
  const labels = { [WORKER_LABELS.managedBy]: MANAGED_BY, [WORKER_LABELS.role]: role };
  return deployment({
    name: sharedObjectName(role), labels, replicas, strategy: 'RollingUpdate', selector: labels,
    args: ['worker', role, '--join-key-file', `${SECRET_DIR}/${JOIN_KEY}`],
  }, settings);
}

function deployment(
  workload: { name: string; labels: Record<string, string>; replicas: number; strategy: 'Recreate' | 'RollingUpdate'; selector: Record<string, string>; args: string[] },
  settings: WorkerPodSettings,
): V1Deployment {
  const { name, labels } = workload;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: workload.replicas,
      strategy: { type: workload.strategy },
      selector: { matchLabels: workload.selector },
      template: {
        metadata: { labels },
        spec: {
          // Workers talk to the database, Redis and providers, never to the cluster's API.
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: settings.terminationGraceSeconds,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'worker',
            image: settings.image,
            args: [...workload.args, ...(settings.workerArgs ?? [])],
            envFrom: [{ configMapRef: { name: settings.configMap } }, { secretRef: { name: settings.configSecret } }],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: settings.memoryLimitBytes === undefined ? {} : { limits: { memory: String(settings.memoryLimitBytes) } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'registration', mountPath: SECRET_DIR, readOnly: true }],
          }],
          volumes: [{ name: 'registration', secret: { secretName: name, defaultMode: 0o400 } }],
        },
      },
    },
  };
}

/** The worker's one-time secret, owned by its Deployment: a cluster's garbage collector removes it with it. */
export function workerSecret(spec: WorkerSpec, secret: string, owner: { uid: string }): V1Secret {
  return ownedSecret(workerObjectName(spec.workerId), labelsOf(spec), { [SECRET_KEY]: secret }, owner);
}

/** A shared role's join key, owned by the role's Deployment. */
export function sharedSecret(role: SharedRoleName, joinKey: string, owner: { uid: string }): V1Secret {
  return ownedSecret(sharedObjectName(role), { [WORKER_LABELS.managedBy]: MANAGED_BY, [WORKER_LABELS.role]: role }, { [JOIN_KEY]: joinKey }, owner);
}

function ownedSecret(name: string, labels: Record<string, string>, stringData: Record<string, string>, owner: { uid: string }): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: owner.uid, controller: true }] },
    type: 'Opaque',
    stringData,
  };
}
