/**
 * The PromQL a capture asks, on the metric names and labels a real cluster's Prometheus has: the kubelet's cAdvisor
 * (`container_*`, labelled namespace, pod, container, and node or instance) and node-exporter (`node_*`, labelled
 * instance, and node where the scrape config adds it). Values come back in the metrics' own units (CPU cores,
 * bytes); the capture makes percents of them.
 */

/**
 * The window rates are computed over: two minutes hold at least two scrapes at the usual 15-60 s scrape intervals
 * and still follow a 60 s step closely.
 */
export const RATE_WINDOW = '2m';

/** cAdvisor's series of real containers: not the pod's own cgroup (container="") nor its pause container. */
function containerSelector(pods: PodNames): string {
  return `container!="",container!="POD",namespace=~"${alternatives(pods.namespaces)}",pod=~"${alternatives(pods.names)}"`;
}

/** The namespaces and names of the pods a query is about (a pod named the same in another namespace may match too). */
export interface PodNames {
  namespaces: readonly string[];
  names: readonly string[];
}

/** CPU cores used by each node: the rate of its CPUs' seconds in every mode but idle. */
export const NODE_CPU_CORES = `sum by (node, instance) (rate(node_cpu_seconds_total{mode!="idle"}[${RATE_WINDOW}]))`;

/** Memory bytes used by each node: what the kernel cannot make available. */
export const NODE_MEMORY_BYTES = 'sum by (node, instance) (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes)';

/** CPU cores used by each pod (`perContainer`: each container), from cAdvisor. */
export function containerCpuCores(pods: PodNames, perContainer: boolean): string {
  return `sum by (${grouping(perContainer)}) (rate(container_cpu_usage_seconds_total{${containerSelector(pods)}}[${RATE_WINDOW}]))`;
}

/** Working-set memory bytes of each pod (`perContainer`: each container): what the kubelet judges evictions by. */
export function containerMemoryBytes(pods: PodNames, perContainer: boolean): string {
  return `sum by (${grouping(perContainer)}) (container_memory_working_set_bytes{${containerSelector(pods)}})`;
}

function grouping(perContainer: boolean): string {
  return perContainer ? 'namespace, pod, container' : 'namespace, pod';
}

/** A PromQL regex (inside a double-quoted string) matching exactly one of `values`. */
function alternatives(values: readonly string[]): string {
  return [...new Set(values)].sort().map((value) => escapeInString(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('|');
}

/** Escapes a value for a double-quoted PromQL string. */
function escapeInString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
