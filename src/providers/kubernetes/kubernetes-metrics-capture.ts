import { ValidationError, type MetricSeries, type MetricTarget, type MetricWindow } from '../sdk';
import type { ClusterFacts, NodeFacts } from './kube-cluster-facts';
import { containerCpuCores, containerMemoryBytes, NODE_CPU_CORES, NODE_MEMORY_BYTES, type PodNames } from './kube-prometheus-queries';
import { isKubernetesMetricCollection, kubernetesMetrics } from './kubernetes-metrics';
import type { PrometheusClient, PrometheusRangeSeries } from './prometheus-client';

/** Values by sample time (seconds), of one object. */
type Points = Map<number, number>;

/**
 * Captures the targets' CPU and memory from the cluster's Prometheus: a range query per counter and kind asked
 * (`query_range` at the type's 60 s step), over the window's steps. Prometheus knows objects by name, the fleet by
 * uid: the API server's nodes and pods (listed once a round, see ClusterFacts) give the names and the node
 * capacities, which every percent is of (ManageIQ's usage rates are of the node's capacity too; the API server is
 * where the inventory's capacity comes from, read fresh so a resized node counts at its new size). Objects gone from the cluster, pods not bound to a node
 * and objects without samples in the window get no series.
 */
export async function captureKubernetesMetrics(
  cluster: ClusterFacts, prometheus: PrometheusClient, targets: readonly MetricTarget[], window: MetricWindow, signal?: AbortSignal,
): Promise<MetricSeries[]> {
  if (targets.length > kubernetesMetrics.maxTargetsPerCapture) {
    throw new ValidationError(`at most ${kubernetesMetrics.maxTargetsPerCapture} targets per capture, not ${targets.length}`);
  }
  for (const { collection } of targets) {
    if (!isKubernetesMetricCollection(collection)) throw new ValidationError(`the kubernetes type has no metrics of ${collection}`);
  }
  const step = kubernetesMetrics.intervalSeconds;
  const from = window.from.getTime() / 1000;
  const to = window.to.getTime() / 1000;
  const range = { start: Math.floor(from / step) * step + step, end: Math.floor(to / step) * step };
  if (targets.length === 0 || range.start > range.end) return [];
  const query = (promql: string): Promise<PrometheusRangeSeries[]> => prometheus.queryRange(promql, range.start, range.end, step, signal);

  const nodes = await cluster.nodes(signal);
  const nodeByName = new Map(nodes.map((node) => [node.name, node]));
  const captured: MetricSeries[] = [];

  const nodeTargets = targets.filter((t) => t.collection === 'nodes');
  if (nodeTargets.length > 0) {
    const cpu = byNode(await query(NODE_CPU_CORES), nodes);
    const memory = byNode(await query(NODE_MEMORY_BYTES), nodes);
    const byUid = new Map(nodes.map((node) => [node.uid, node]));
    for (const target of nodeTargets) {
      const node = byUid.get(target.emsRef);
      if (node) pushSeries(captured, target, node, cpu.get(node.name), memory.get(node.name));
    }
  }

  const podTargets = targets.filter((t) => t.collection === 'pods');
  const containerTargets = targets.filter((t) => t.collection === 'containers');
  if (podTargets.length + containerTargets.length === 0) return captured;
  const pods = await cluster.pods(signal);
  for (const [kindTargets, perContainer] of [[podTargets, false], [containerTargets, true]] as const) {
    // Each target with the pod it is (or is in), and the key its series has in the answer.
    const resolved = kindTargets.flatMap((target) => {
      const [uid, container] = perContainer ? splitContainerRef(target.emsRef) : [target.emsRef, null];
      const pod = pods.get(uid);
      const node = pod?.nodeName ? nodeByName.get(pod.nodeName) : undefined;
      return pod && node ? [{ target, pod, node, key: seriesKey(pod.namespace, pod.name, container) }] : [];
    });
    if (resolved.length === 0) continue;
    const names: PodNames = { namespaces: resolved.map(({ pod }) => pod.namespace), names: resolved.map(({ pod }) => pod.name) };
    const cpu = byLabels(await query(containerCpuCores(names, perContainer)), perContainer);
    const memory = byLabels(await query(containerMemoryBytes(names, perContainer)), perContainer);
    for (const { target, node, key } of resolved) pushSeries(captured, target, node, cpu.get(key), memory.get(key));
  }
  return captured;
}

/** Adds a target's series of percents, at the times both counters have a value, if there are any. */
function pushSeries(into: MetricSeries[], target: MetricTarget, node: NodeFacts, cpuCores: Points | undefined, memoryBytes: Points | undefined): void {
  const { cpuCores: cores, memoryBytes: capacity } = node;
  if (!cpuCores || !memoryBytes || !cores || !capacity) return;
  const timestamps = [...cpuCores.keys()].filter((t) => memoryBytes.has(t)).sort((a, b) => a - b);
  if (timestamps.length === 0) return;
  into.push({
    target: { ...target },
    timestamps,
    values: {
      cpu_usage_percent: timestamps.map((t) => ((cpuCores.get(t) as number) / cores) * 100),
      memory_usage_percent: timestamps.map((t) => ((memoryBytes.get(t) as number) / capacity) * 100),
    },
  });
}

/** A series' points with a number for a value (Prometheus may answer NaN, e.g. for a rate over a counter reset). */
function pointsOf(series: PrometheusRangeSeries): Points {
  const points: Points = new Map();
  for (const [time, text] of series.values) {
    const value = Number(text);
    if (Number.isFinite(value)) points.set(Math.round(time), value);
  }
  return points;
}

/**
 * Node-exporter's series by node name: a series names its node by a `node` label where the scrape config adds one,
 * else by its `instance` (the node's name or one of its addresses, with the exporter's port). A node matched twice
 * keeps its first series.
 */
function byNode(answer: PrometheusRangeSeries[], nodes: readonly NodeFacts[]): Map<string, Points> {
  const nodeByAlias = new Map<string, string>();
  for (const node of nodes) for (const alias of node.addresses) nodeByAlias.set(alias, node.name);
  for (const node of nodes) nodeByAlias.set(node.name, node.name);
  const result = new Map<string, Points>();
  for (const series of answer) {
    const { node: nodeLabel, instance } = series.metric;
    const name = nodeLabel !== undefined && nodeByAlias.has(nodeLabel) ? nodeByAlias.get(nodeLabel)
      : instance !== undefined ? (nodeByAlias.get(instance) ?? nodeByAlias.get(hostOfInstance(instance))) : undefined;
    if (name !== undefined && !result.has(name)) result.set(name, pointsOf(series));
  }
  return result;
}

/** cAdvisor's series by pod (namespace/name) or container (namespace/name/container). */
function byLabels(answer: PrometheusRangeSeries[], perContainer: boolean): Map<string, Points> {
  const result = new Map<string, Points>();
  for (const { metric, values } of answer) {
    if (metric.namespace === undefined || metric.pod === undefined || (perContainer && metric.container === undefined)) continue;
    result.set(seriesKey(metric.namespace, metric.pod, perContainer ? (metric.container ?? null) : null), pointsOf({ metric, values }));
  }
  return result;
}

function seriesKey(namespace: string, pod: string, container: string | null): string {
  return container === null ? `${namespace}/${pod}` : `${namespace}/${pod}/${container}`;
}

/** A container's reference is its pod's uid and its name (see the parser). */
function splitContainerRef(emsRef: string): [string, string] {
  const slash = emsRef.indexOf('/');
  return slash < 0 ? [emsRef, ''] : [emsRef.slice(0, slash), emsRef.slice(slash + 1)];
}

/** The host of an `instance` label: "10.0.0.5:9100" -> "10.0.0.5", "[fd00::5]:9100" -> "fd00::5". */
function hostOfInstance(instance: string): string {
  const bracketed = /^\[(.*)\]:\d+$/.exec(instance);
  if (bracketed) return bracketed[1];
  return instance.replace(/:\d+$/, '');
}

