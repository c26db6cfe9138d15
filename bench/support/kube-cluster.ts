import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1ListMeta } from '@kubernetes/client-node';
import { runConcurrently } from './concurrently';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The size of the cluster a benchmark fills. Pods are spread evenly over the deployments, each with one replica set. */
export interface ClusterSize {
  namespaces: number;
  nodes: number;
  deployments: number;
  servicesPerDeployment: number;
  pods: number;
  containersPerPod: number;
}

/** A pod the benchmark made, by the names a change and a row find it by. */
export interface BenchPod {
  namespace: string;
  name: string;
  uid: string;
}

/**
 * Fills a real API server as a busy cluster looks: nodes with capacity, deployments each owning a replica set owning
 * its share of the pods, pods Running on the nodes with their containers' statuses (patched, as there is no kubelet),
 * services selecting each deployment's pods. `concurrency` requests are in flight at once.
 */
export async function fillCluster(kubeConfig: KubeConfig, size: ClusterSize, concurrency: number): Promise<BenchPod[]> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const namespaces = Array.from({ length: size.namespaces }, (_, i) => `bench-${i}`);
  await runConcurrently(namespaces.length, concurrency, (i) => core.createNamespace({ body: { metadata: { name: namespaces[i] } } }));
  const nodes = Array.from({ length: size.nodes }, (_, i) => `bench-node-${i}`);
  await runConcurrently(nodes.length, concurrency, async (i) => {
    await core.createNode({ body: { metadata: { name: nodes[i], labels: { 'node-role.kubernetes.io/worker': '' } } } });
    const resources = { cpu: '16', memory: '64Gi', pods: '250' };
    await core.patchNodeStatus({
      name: nodes[i], body: { status: { capacity: resources, allocatable: resources, conditions: [{ type: 'Ready', status: 'True' }] } },
    }, mergePatch);
  });

  const containers = Array.from({ length: size.containersPerPod }, (_, c) => ({ name: `c${c}`, image: `registry.example/app-${c}:1.0` }));
  const replicaSets: { namespace: string; name: string; uid: string; app: string }[] = [];
  await runConcurrently(size.deployments, concurrency, async (d) => {
    const namespace = namespaces[d % namespaces.length];
    const app = `app-${d}`;
    const labels = { app };
    const template = { metadata: { labels }, spec: { containers } };
    const deployment = await apps.createNamespacedDeployment({
      namespace, body: { metadata: { name: app, labels }, spec: { replicas: Math.ceil(size.pods / size.deployments), selector: { matchLabels: labels }, template } },
    });
    const replicaSet = await apps.createNamespacedReplicaSet({
      namespace,
      body: {
        metadata: {
          name: `${app}-7d9f8`, labels,
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: deployment.metadata?.uid ?? '', controller: true }],
        },
        spec: { replicas: Math.ceil(size.pods / size.deployments), selector: { matchLabels: labels }, template },
      },
    });
    replicaSets[d] = { namespace, name: `${app}-7d9f8`, uid: replicaSet.metadata?.uid ?? '', app };
    for (let s = 0; s < size.servicesPerDeployment; s += 1) {
      await core.createNamespacedService({
        namespace, body: { metadata: { name: `${app}-${s}` }, spec: { selector: labels, ports: [{ port: 8080 + s, targetPort: 8080 + s }] } },
      });
    }
  });

  const pods: BenchPod[] = [];
  await runConcurrently(size.pods, concurrency, async (p) => {
    const owner = replicaSets[p % replicaSets.length];
    const name = `${owner.name}-${p.toString(36).padStart(5, '0')}`;
    const pod = await core.createNamespacedPod({
      namespace: owner.namespace,
      body: {
        metadata: {
          name, labels: { app: owner.app },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.name, uid: owner.uid, controller: true }],
        },
        spec: { nodeName: nodes[p % nodes.length], containers },
      },
    });
    await core.patchNamespacedPodStatus({
      namespace: owner.namespace, name,
      body: {
        status: {
          phase: 'Running', podIP: `10.${(p >> 16) & 255}.${(p >> 8) & 255}.${p & 255}`, hostIP: '192.0.2.1', conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: containers.map((c) => ({
            name: c.name, image: c.image, imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: new Date('2026-01-02T03:04:05Z') } },
          })),
        },
      },
    }, mergePatch);
    pods[p] = { namespace: owner.namespace, name, uid: pod.metadata?.uid ?? '' };
  });
  return pods;
}

/** A page of any list call: its items and where the next page starts. */
interface ListPage {
  items: unknown[];
  metadata?: V1ListMeta;
}

/**
 * The baseline's listing: every collection the kubernetes type lists, cluster-wide, in pages of `pageSize` through
 * @kubernetes/client-node, the answers parsed into objects and then dropped. Returns the objects listed.
 */
export async function listEverything(kubeConfig: KubeConfig, pageSize: number): Promise<number> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  type Page = { limit: number; _continue?: string };
  const listings: ((page: Page) => Promise<ListPage>)[] = [
    (p) => core.listNamespace(p), (p) => core.listNode(p), (p) => core.listPersistentVolume(p),
    (p) => core.listPersistentVolumeClaimForAllNamespaces(p), (p) => apps.listDeploymentForAllNamespaces(p),
    (p) => apps.listReplicaSetForAllNamespaces(p), (p) => core.listPodForAllNamespaces(p), (p) => core.listServiceForAllNamespaces(p),
  ];
  let objects = 0;
  for (const list of listings) {
    let continueToken: string | undefined;
    do {
      const page = await list({ limit: pageSize, ...(continueToken === undefined ? {} : { _continue: continueToken }) });
      objects += page.items.length;
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken !== undefined);
  }
  return objects;
}

/** Sets label `bench-change` of a pod to `value`: a change the pod's watch reports and its row must show. */
export async function relabelPod(core: CoreV1Api, pod: BenchPod, value: string): Promise<void> {
  await core.patchNamespacedPod({ namespace: pod.namespace, name: pod.name, body: { metadata: { labels: { 'bench-change': value } } } }, mergePatch);
}
