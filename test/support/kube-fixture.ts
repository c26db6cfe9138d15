import { randomBytes } from 'node:crypto';
import {
  AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1ContainerStatus, type V1OwnerReference, type V1Pod,
} from '@kubernetes/client-node';
import type { Provider } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import type { RefreshTarget } from '../../src/core/refresh/refresh-scope';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { testEnv } from './test-env';
import { testKube, type RunningKube } from './test-kube';

/** A name no other test (nor an earlier run against the same etcd) has taken. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * The run's kube-apiserver with a namespace of the test's own, and a `kubernetes` provider registered for it in the
 * run's database, scoped to that namespace (nodes and persistent volumes are cluster-wide: tests name theirs
 * uniquely and assert on theirs only). Namespaces are never deleted: without a controller manager they would stay
 * Terminating.
 */
export class KubeFixture {
  private constructor(
    readonly kube: RunningKube,
    readonly core: CoreV1Api,
    readonly apps: AppsV1Api,
    readonly namespace: string,
    readonly store: ProviderStore,
    readonly provider: Provider,
  ) {}

  static async start(options: { pageSize?: number } = {}): Promise<KubeFixture> {
    const kube = await testKube();
    const core = kube.kubeConfig.makeApiClient(CoreV1Api);
    const apps = kube.kubeConfig.makeApiClient(AppsV1Api);
    const namespace = uniqueName('fleet-kube');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const env = testEnv();
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    const provider = await store.create({
      type: 'kubernetes', name: uniqueName('kube'),
      config: {
        server: kube.url, caCertificate: kube.caPem, insecureSkipTlsVerify: false, namespaces: [namespace],
        pageSize: options.pageSize ?? 500, timeoutSeconds: 30,
      },
      credentials: { token: kube.adminToken },
    });
    return new KubeFixture(kube, core, apps, namespace, store, provider);
  }

  refresh(targets?: RefreshTarget[]): Promise<RefreshOutcome> {
    const env = testEnv();
    return refreshProvider({
      dataSource: env.dataSource, store: this.store, logger: env.logger, provider: this.provider.id, targets, source: 'cli', fullThreshold: 100,
    });
  }

  /** A pod in the fixture's namespace, with one container per image, on `nodeName` if given. */
  async createPod(
    name: string,
    options: { labels?: Record<string, string>; images?: string[]; nodeName?: string; claims?: string[]; owner?: V1OwnerReference } = {},
  ): Promise<V1Pod> {
    const images = options.images ?? ['nginx:1.25'];
    return this.core.createNamespacedPod({
      namespace: this.namespace,
      body: {
        metadata: { name, labels: options.labels, ownerReferences: options.owner ? [options.owner] : undefined },
        spec: {
          nodeName: options.nodeName,
          containers: images.map((image, i) => ({ name: `c${i}`, image })),
          volumes: options.claims?.map((claimName) => ({ name: claimName, persistentVolumeClaim: { claimName } })),
        },
      },
    });
  }

  /** Patches a pod Running (there is no kubelet to do it), with the container statuses given. */
  async markRunning(name: string, podIP: string, containerStatuses: V1ContainerStatus[]): Promise<void> {
    await this.core.patchNamespacedPodStatus({
      namespace: this.namespace, name,
      body: { status: { phase: 'Running', podIP, hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses } },
    }, mergePatch);
  }

  /** A node (cluster-wide) with capacity and allocatable in its status. */
  async createNode(name: string, capacity: Record<string, string>, allocatable: Record<string, string>): Promise<string> {
    const node = await this.core.createNode({ body: { metadata: { name, labels: { 'fleet-test': 'yes' } } } });
    await this.core.patchNodeStatus({ name, body: { status: { capacity, allocatable, conditions: [{ type: 'Ready', status: 'True' }] } } }, mergePatch);
    return node.metadata?.uid ?? '';
  }

  async deletePod(name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ namespace: this.namespace, name, gracePeriodSeconds: 0 });
  }

  /** Rows of `table` of the fixture's provider meeting `where` ($2... are `params`). */
  async rows(table: string, where = 'true', params: unknown[] = []): Promise<Record<string, unknown>[]> {
    return testEnv().dataSource.query(`SELECT * FROM ${table} WHERE provider_id = $1 AND (${where}) ORDER BY id`, [this.provider.id, ...params]);
  }

  /** Names of the live (not archived) rows of `table` of the provider, sorted. */
  names(table: string): Promise<string[]> {
    return liveNames(table, this.provider.id);
  }
}

/** A running container's status as a kubelet would report it. */
export function runningStatus(name: string, image: string, restartCount = 0, ready = true): V1ContainerStatus {
  return { name, image, imageID: '', ready, restartCount, state: { running: { startedAt: new Date('2026-01-02T03:04:05Z') } } };
}

/** Names of the live (not archived) rows of `table` of a provider, sorted. */
export async function liveNames(table: string, providerId: string): Promise<string[]> {
  const rows: { name: string }[] = await testEnv().dataSource.query(
    `SELECT name FROM ${table} WHERE provider_id = $1 AND archived_at IS NULL ORDER BY name`, [providerId]);
  return rows.map((row) => row.name);
}
