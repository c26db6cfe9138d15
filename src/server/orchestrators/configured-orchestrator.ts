import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { configEnvironment } from '../../config/config-environment';
import type { FleetConfig } from '../../config/fleet-config';
import { ConfigError } from '../../errors';
import type { Logger } from '../../logging/logger';
import { KubernetesOrchestrator } from './kubernetes-orchestrator';
import { LocalOrchestrator } from './local-orchestrator';
import type { Orchestrator } from './orchestrator';

/** Where a pod finds the namespace it runs in. */
const POD_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
/** Head room of a worker's container over its memory threshold: the supervisor's orderly stop comes first. */
const MEMORY_LIMIT_OVER_THRESHOLD = 1.25;
/** The part of the heartbeat timeout after which a worker whose heartbeats fail stops by itself. */
const WORKER_CUT_OFF_OF_HEARTBEAT_TIMEOUT = 2 / 3;
/** A worker's stop timeout (30 s) and its exit after it (5 s), and some. */
const WORKER_TERMINATION_GRACE_SECONDS = 45;

/**
 * The orchestrator `config.orchestrator` names. On Kubernetes the cluster is reached as client-node's default
 * finds it: the pod's service account inside a cluster, KUBECONFIG (or ~/.kube/config) outside.
 */
export function configuredOrchestrator(
  config: FleetConfig, options: { logger: Logger; memoryThresholdBytes: number; heartbeatTimeoutMs: number },
): Orchestrator {
  const { logger } = options;
  // A worker cut off from the database stops by itself well before the supervisor gives it up and starts another.
  const workerArgs = ['--cut-off-ms', String(Math.round(options.heartbeatTimeoutMs * WORKER_CUT_OFF_OF_HEARTBEAT_TIMEOUT))];
  if (config.orchestrator === 'local') {
    // Workers get this server's resolved configuration, wherever it came from.
    return new LocalOrchestrator({ env: { ...process.env, ...configEnvironment(config) }, logger, workerArgs, nice: config.workerNice });
  }
  const kubeConfig = new KubeConfig();
  // Where client-node's default would find none, it makes up a cluster at localhost:8080: say so instead.
  if (!process.env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && !process.env.KUBERNETES_SERVICE_HOST) {
    throw new ConfigError(['orchestrator kubernetes: no cluster to run workers on (not in a pod, no KUBECONFIG, no ~/.kube/config)']);
  }
  kubeConfig.loadFromDefault();
  return new KubernetesOrchestrator({
    kubeConfig, logger,
    namespace: config.kubernetesNamespace || podNamespace() || kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default',
    image: config.kubernetesWorkerImage,
    configMap: config.kubernetesConfigMap,
    configSecret: config.kubernetesConfigSecret,
    memoryLimitBytes: Math.round(options.memoryThresholdBytes * MEMORY_LIMIT_OVER_THRESHOLD),
    terminationGraceSeconds: WORKER_TERMINATION_GRACE_SECONDS,
    workerArgs,
  });
}

function podNamespace(): string | undefined {
  return existsSync(POD_NAMESPACE_FILE) ? readFileSync(POD_NAMESPACE_FILE, 'utf8').trim() : undefined;
}
