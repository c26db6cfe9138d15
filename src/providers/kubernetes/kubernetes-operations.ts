import type { OperationSpec } from '../sdk';

/** The largest replica count the API takes (an int32). */
const MAX_REPLICAS = 2_147_483_647;

/**
 * A cluster's operations: a pod deleted (its controller, if any, makes another) and a deployment scaled. Both are one
 * request the API server answers once it has recorded the change; what follows (containers stopping, pods starting)
 * is the cluster's to do, and the refresh after the operation shows it.
 */
export const kubernetesOperations = {
  'pod.delete': {
    collection: 'pods', title: 'Delete', priority: 100, timeoutSeconds: 60, destructive: true,
    parameters: {
      type: 'object', additionalProperties: false, properties: {
        gracePeriodSeconds: { type: 'integer', minimum: 0, description: 'seconds the containers get to stop (0: at once); absent: the pod\'s own' },
      },
    },
  },
  'deployment.scale': {
    collection: 'deployments', title: 'Scale', priority: 50, timeoutSeconds: 60,
    parameters: {
      type: 'object', additionalProperties: false, required: ['replicas'], properties: {
        replicas: { type: 'integer', minimum: 0, maximum: MAX_REPLICAS, description: 'the number of pods the deployment is to run' },
      },
    },
  },
} as const satisfies Record<string, OperationSpec>;

export type KubernetesOperationName = keyof typeof kubernetesOperations;

export function isKubernetesOperation(name: string): name is KubernetesOperationName {
  return Object.hasOwn(kubernetesOperations, name);
}
