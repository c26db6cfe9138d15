import { ProviderApiError, ValidationError, type OperationRequest, type OperationResult } from '../sdk';
import type { KubeClient } from './kube-client';
import { isKubernetesOperation } from './kubernetes-operations';

/**
 * Runs one of the type's operations. The API addresses objects by namespace and name, the inventory by uid: the
 * object is named as the inventory stores it (the request's alias), and the uid is the request's precondition, so
 * an object re-created under the same name is not acted on in place of the one asked for. An object the cluster no
 * longer has (404), or has only as another object of that name (409), is gone: the task fails saying so.
 */
export async function runKubernetesOperation(client: KubeClient, name: string, request: OperationRequest): Promise<OperationResult> {
  if (!isKubernetesOperation(name)) throw new ValidationError(`the cluster has no operation "${name}"`);
  const kind = name === 'pod.delete' ? 'pod' : 'deployment';
  const [namespace, objectName, ...rest] = request.alias?.split('/') ?? [];
  if (namespace === undefined || objectName === undefined || rest.length > 0) {
    throw new ProviderApiError(`${kind} ${request.ref} has no namespace and name in the inventory: a refresh of the provider may bring them`);
  }
  const named = `${namespace}/${objectName}`;
  try {
    if (name === 'pod.delete') {
      const { gracePeriodSeconds } = request.parameters;
      await client.deletePod(namespace, objectName, request.ref, typeof gracePeriodSeconds === 'number' ? gracePeriodSeconds : undefined, request.signal);
      return { pod: named };
    }
    const { replicas } = request.parameters;
    if (typeof replicas !== 'number') throw new ValidationError('parameters.replicas: must be an integer');
    const scale = await client.scaleDeployment(namespace, objectName, request.ref, replicas, request.signal);
    return { deployment: named, replicas: scale.spec?.replicas ?? 0 };
  } catch (error: unknown) {
    if (error instanceof ProviderApiError && error.status === 404) {
      throw new ProviderApiError(`${kind} ${named} is gone: the cluster no longer has it`, 404, { cause: error });
    }
    if (error instanceof ProviderApiError && error.status === 409) {
      throw new ProviderApiError(`${kind} ${named} is gone: another ${kind} of that name has replaced it`, 409, { cause: error });
    }
    throw error;
  }
}
