import type { KubeClient } from './kube-client';
import { listPages } from './kube-listing';
import { parseQuantity } from './kube-quantity';

/** Where a capture's pods are listed from. */
export interface KubeMetricsSettings {
  /** The namespaces the provider inventories; empty: all. */
  namespaces: readonly string[];
  pageSize: number;
}

/** A node as the capture needs it: what Prometheus names it by, and its capacity (what percents are of). */
export interface NodeFacts {
  uid: string;
  name: string;
  /** Its names in `instance` labels besides its own: its addresses. */
  addresses: string[];
  cpuCores: number | null;
  memoryBytes: number | null;
}

/** A pod as the capture needs it: what cAdvisor labels it by, and its node. */
export interface PodFacts {
  namespace: string;
  name: string;
  nodeName: string | null;
}

/**
 * The nodes and pods a capture finds its targets by, each listed once, when first needed. The metrics collector
 * builds a provider instance per capture round, and a round makes a capture call per few hundred targets: kept on the
 * instance, the cluster is listed once a round instead of once a call. A listing that failed is asked again.
 */
export class ClusterFacts {
  private nodeList: Promise<NodeFacts[]> | undefined;
  private podList: Promise<Map<string, PodFacts>> | undefined;

  constructor(private readonly kube: KubeClient, private readonly settings: KubeMetricsSettings) {}

  nodes(signal?: AbortSignal): Promise<NodeFacts[]> {
    this.nodeList ??= listNodes(this.kube, this.settings.pageSize, signal).catch((error: unknown) => {
      this.nodeList = undefined;
      throw error;
    });
    return this.nodeList;
  }

  /** The pods of the provider's namespaces, by uid. */
  pods(signal?: AbortSignal): Promise<Map<string, PodFacts>> {
    this.podList ??= listPods(this.kube, this.settings, signal).catch((error: unknown) => {
      this.podList = undefined;
      throw error;
    });
    return this.podList;
  }
}

async function listNodes(kube: KubeClient, pageSize: number, signal?: AbortSignal): Promise<NodeFacts[]> {
  const nodes: NodeFacts[] = [];
  for await (const page of listPages(kube, 'nodes', { namespaces: null, pageSize }, signal)) {
    for (const node of page) {
      const { uid, name } = node.metadata ?? {};
      if (!uid || !name) continue;
      nodes.push({
        uid, name, addresses: (node.status?.addresses ?? []).map((a) => a.address),
        cpuCores: parseQuantity(node.status?.capacity?.cpu), memoryBytes: parseQuantity(node.status?.capacity?.memory),
      });
    }
  }
  return nodes;
}

async function listPods(kube: KubeClient, settings: KubeMetricsSettings, signal?: AbortSignal): Promise<Map<string, PodFacts>> {
  const pods = new Map<string, PodFacts>();
  const namespaces = settings.namespaces.length > 0 ? settings.namespaces : null;
  for await (const page of listPages(kube, 'pods', { namespaces, pageSize: settings.pageSize }, signal)) {
    for (const pod of page) {
      const { uid, name, namespace } = pod.metadata ?? {};
      if (uid && name && namespace) pods.set(uid, { namespace, name, nodeName: pod.spec?.nodeName ?? null });
    }
  }
  return pods;
}
