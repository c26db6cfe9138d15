import {
  Provider, ProviderApiError, ValidationError, type Collected, type EventBatch, type EventPosition, type InventoryCollections, type MetricSeries,
  type MetricTarget, type MetricWindow, type OperationRequest, type OperationResult, type RefreshScope,
} from '../sdk';
import type { KubeClient } from './kube-client';
import { ClusterFacts } from './kube-cluster-facts';
import { streamKubeEvents } from './kube-event-stream';
import type { KubeWatchEvent } from './kube-watched';
import { collectKubernetes } from './kubernetes-collector';
import type { KubernetesInventory } from './kubernetes-inventory';
import { captureKubernetesMetrics } from './kubernetes-metrics-capture';
import { runKubernetesOperation } from './kubernetes-operation-run';
import type { KubePage, KubeResource } from './kubernetes-native';
import { listCall } from './kube-resources';
import { parseKubePage } from './kubernetes-parser';
import { PrometheusClient } from './prometheus-client';

export interface KubernetesConfig {
  /** The API server's URL, e.g. https://127.0.0.1:6443 */
  server: string;
  /** PEM of the CA that signed the API server's certificate. */
  caCertificate?: string | null;
  /** Accept any certificate: only for clusters whose certificate cannot be checked, and only when asked. */
  insecureSkipTlsVerify: boolean;
  /** The namespaces to inventory; empty: all. */
  namespaces: string[];
  pageSize: number;
  timeoutSeconds: number;
  /** The URL of the cluster's Prometheus (http or https), which metrics are captured from; absent: none are. */
  prometheusUrl?: string | null;
}

export interface KubernetesCredentials {
  /** A bearer token (a service account's, or a user's). */
  token: string;
  /** A bearer token for Prometheus, where it sits behind a proxy that asks for one. */
  prometheusToken?: string | null;
}

/** The listings a refresh needs, checked by verifyCredentials with a one-object page each. */
const CHECKED_LISTINGS: readonly KubeResource[] = [
  'nodes', 'persistentvolumes', 'persistentvolumeclaims', 'deployments', 'replicasets', 'pods', 'services',
];

/** A Kubernetes cluster, as a container manager. */
export class KubernetesProvider extends Provider<KubernetesConfig, KubernetesCredentials, KubePage, KubernetesInventory, KubeClient, KubeWatchEvent> {
  /** The cluster's nodes and pods as this instance's captures (one round's) resolve their targets by. */
  private clusterFacts: ClusterFacts | undefined;

  /** A client whose token the API server accepts (a 401 throws InvalidCredentialsError). */
  override async connect(signal?: AbortSignal): Promise<KubeClient> {
    const client = await this.client();
    await client.serverVersion(signal);
    return client;
  }

  /**
   * Connects, then asks each listing a refresh makes for one object: RBAC refusing one fails with the verb and
   * resource it refused ("the token may not list pods (cluster-wide)"); configured namespaces must exist.
   */
  override async verifyCredentials(signal?: AbortSignal): Promise<void> {
    const client = await this.connect(signal);
    const { namespaces } = this.options.config;
    if (namespaces.length === 0) await client.listPage('namespaces', { namespace: null, limit: 1, continueToken: null }, signal);
    for (const name of namespaces) {
      if ((await client.read('namespaces', name, '', signal)) === null) throw new ValidationError(`config.namespaces: namespace "${name}" does not exist`);
    }
    for (const resource of CHECKED_LISTINGS) {
      for (const namespace of namespaces.length > 0 ? namespaces : [null]) {
        await client.listPage(resource, { namespace, limit: 1, continueToken: null }, signal);
        this.options.logger.debug({ event: 'kubernetes.listing_checked', listing: listCall(resource, namespace) }, 'listing allowed');
      }
    }
  }

  override async *collect(scope: RefreshScope, signal?: AbortSignal): AsyncIterable<Collected<KubePage>> {
    const { namespaces, pageSize } = this.options.config;
    // No version call first: the collection's own first request meets a refused token just the same (401 -> invalid
    // credentials), and a targeted refresh of one object is little more than that round trip.
    yield* collectKubernetes(await this.client(), { namespaces, pageSize }, scope, signal);
  }

  /** The cluster's changes, from the watches of every resource the inventory holds and of core/v1 Events. */
  override async *streamEvents(position: EventPosition | null, signal: AbortSignal): AsyncIterable<EventBatch<KubeWatchEvent>> {
    const { namespaces, server } = this.options.config;
    yield* streamKubeEvents(await this.connect(signal), { namespaces, server }, position, signal);
  }

  /**
   * CPU and memory of nodes, pods and containers from the cluster's Prometheus. Without a Prometheus URL there is
   * nothing to capture from: the capture fails saying so, which the metrics collector records on the provider.
   */
  override async captureMetrics(targets: readonly MetricTarget[], window: MetricWindow, signal?: AbortSignal): Promise<MetricSeries[]> {
    const { config, credentials, fetch } = this.options;
    if (!config.prometheusUrl) {
      throw new ProviderApiError('no Prometheus URL is configured (config.prometheusUrl): this provider has no source of metrics to capture from');
    }
    const prometheus = new PrometheusClient({
      url: config.prometheusUrl, token: credentials.prometheusToken ?? null, fetch, timeoutMs: config.timeoutSeconds * 1000,
    });
    this.clusterFacts ??= new ClusterFacts(await this.client(), { namespaces: config.namespaces, pageSize: config.pageSize });
    return captureKubernetesMetrics(this.clusterFacts, prometheus, targets, window, signal);
  }

  override parse(page: KubePage, inventory: InventoryCollections<KubernetesInventory>): void {
    parseKubePage(page, inventory);
  }

  /** Deletes a pod or scales a deployment: one request, answered once the API server has recorded the change. */
  override async runOperation(name: string, request: OperationRequest): Promise<OperationResult> {
    return runKubernetesOperation(await this.client(), name, request);
  }

  /** Loaded on first use: client-node (about 50 MB) stays out of the processes that never talk to a cluster. */
  private async client(): Promise<KubeClient> {
    const { KubeClient } = await import('./kube-client');
    const { config, credentials } = this.options;
    return new KubeClient({
      server: config.server, caCertificate: config.caCertificate ?? null, insecureSkipTlsVerify: config.insecureSkipTlsVerify,
      token: credentials.token, timeoutMs: config.timeoutSeconds * 1000,
    });
  }
}
