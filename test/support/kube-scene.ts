import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { runningStatus, uniqueName, type KubeFixture } from './kube-fixture';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** What `buildScene` made, by name (and uid where the test needs to find an object's row by it). */
export interface KubeScene {
  nodes: [string, string];
  deployment: { name: string; uid: string };
  replicaSet: { name: string; uid: string };
  volume: string;
  claim: string;
  service: string;
  /** web-a and web-b are selected by the service; worker is not; web-a belongs to the replica set, worker mounts the claim. */
  pods: { webA: string; webB: string; worker: string };
}

/**
 * A namespace as a small cluster would have it: two nodes with capacity and allocatable, a deployment and the replica
 * set it owns, which owns a pod, a service selecting two of three pods, a volume bound to a claim a pod mounts. Pods
 * are patched Running with container statuses, as a kubelet would.
 */
export async function buildScene(kube: KubeFixture): Promise<KubeScene> {
  const { core, apps, namespace } = kube;
  const nodes: [string, string] = [uniqueName('node'), uniqueName('node')];
  await kube.createNode(nodes[0], { cpu: '4', memory: '8Gi', pods: '110' }, { cpu: '3500m', memory: '7Gi', pods: '110' });
  await kube.createNode(nodes[1], { cpu: '2', memory: '4Gi', pods: '50' }, { cpu: '1900m', memory: '3584Mi', pods: '50' });

  const labels = { app: 'web' };
  const deploymentName = 'web';
  const deployment = await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: deploymentName },
      spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c0', image: 'nginx:1.25' }] } } },
    },
  });
  const deploymentUid = deployment.metadata?.uid ?? '';
  const replicaSetName = 'web-5d8f7';
  const replicaSet = await apps.createNamespacedReplicaSet({
    namespace,
    body: {
      metadata: {
        name: replicaSetName, labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName, uid: deploymentUid, controller: true }],
      },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c0', image: 'nginx:1.25' }] } } },
    },
  });
  const replicaSetUid = replicaSet.metadata?.uid ?? '';

  const volume = uniqueName('pv');
  await core.createPersistentVolume({
    body: {
      metadata: { name: volume },
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'manual', hostPath: { path: '/srv/data' } },
    },
  });
  const claim = 'data';
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: claim },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', volumeName: volume, resources: { requests: { storage: '5Gi' } } },
    },
  });
  await core.patchNamespacedPersistentVolumeClaimStatus({
    namespace, name: claim, body: { status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] } },
  }, mergePatch);

  const service = 'web';
  await core.createNamespacedService({ namespace, body: { metadata: { name: service }, spec: { selector: labels, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } } });

  const pods = { webA: 'web-5d8f7-a', webB: 'web-b', worker: 'worker' };
  await kube.createPod(pods.webA, {
    labels, nodeName: nodes[0],
    owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSetName, uid: replicaSetUid, controller: true },
  });
  await kube.markRunning(pods.webA, '10.244.0.10', [runningStatus('c0', 'nginx:1.25', 0)]);
  await kube.createPod(pods.webB, { labels, nodeName: nodes[1], images: ['nginx:1.25', 'envoy:1.28'] });
  await kube.markRunning(pods.webB, '10.244.1.11', [runningStatus('c0', 'nginx:1.25', 3), runningStatus('c1', 'envoy:1.28', 1, false)]);
  await kube.createPod(pods.worker, { labels: { app: 'worker' }, nodeName: nodes[1], images: ['busybox:1.36'], claims: [claim] });
  await core.patchNamespacedPodStatus({
    namespace, name: pods.worker,
    body: {
      status: {
        phase: 'Running', podIP: '10.244.1.12', hostIP: '127.0.0.1',
        containerStatuses: [{ name: 'c0', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    },
  }, mergePatch);

  return {
    nodes, deployment: { name: deploymentName, uid: deploymentUid }, replicaSet: { name: replicaSetName, uid: replicaSetUid },
    volume, claim, service, pods,
  };
}
