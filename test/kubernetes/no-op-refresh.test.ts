import { KubeFixture } from '../support/kube-fixture';
import { buildScene } from '../support/kube-scene';
import { expectNoOpReRefresh } from '../support/no-op-refresh';

/** A re-refresh of a cluster where nothing changed touches no row. */
describe('kubernetes: re-refresh with nothing changed', () => {
  let kube: KubeFixture;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    await buildScene(kube);
  });

  /** Every row of the provider's container tables, as stored. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const tables = [
      'container_namespaces', 'container_nodes', 'container_pods', 'containers', 'container_services', 'container_service_pods',
      'container_deployments', 'container_replica_sets', 'container_persistent_volumes', 'container_persistent_volume_claims',
      'container_pod_volume_claims',
    ];
    const snapshot: Record<string, unknown[]> = {};
    for (const table of tables) snapshot[table] = await kube.rows(table);
    return snapshot;
  }

  it('writes zero rows, counts nothing created, updated or deleted, and records no change', () => expectNoOpReRefresh(() => kube.refresh(), snapshot));
});
