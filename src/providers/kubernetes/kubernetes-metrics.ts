import type { ProviderMetricsSupport } from '../sdk';

/** The inventory collections whose objects have metrics in a cluster's Prometheus. */
export const KUBERNETES_METRIC_COLLECTIONS = ['nodes', 'pods', 'containers'] as const;
export type KubernetesMetricCollection = (typeof KUBERNETES_METRIC_COLLECTIONS)[number];

/**
 * A cluster's utilization from its Prometheus, as ManageIQ captures it: CPU and memory of nodes, pods and containers
 * each 60 s (Prometheus answers at any step; a minute is ManageIQ's realtime step for containers and what the usual
 * 15-30 s scrapes support). Each is a percent of its node's capacity. Containers roll up to their pod, pods to
 * their node, nodes to the provider; every kind is captured, so each keeps its own samples.
 */
export const kubernetesMetrics: ProviderMetricsSupport = {
  intervalSeconds: 60,
  counters: ['cpu_usage_percent', 'memory_usage_percent'],
  kinds: {
    nodes: { captured: true, parent: null },
    pods: { captured: true, parent: 'node' },
    containers: { captured: true, parent: 'pod' },
  },
  // The pods' names go into the queries (as a regex), which should stay well within what Prometheus parses quickly.
  maxTargetsPerCapture: 500,
  capturedWith: (config) => typeof config.prometheusUrl === 'string' && config.prometheusUrl !== '',
};

export function isKubernetesMetricCollection(collection: string): collection is KubernetesMetricCollection {
  return (KUBERNETES_METRIC_COLLECTIONS as readonly string[]).includes(collection);
}
