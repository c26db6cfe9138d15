import { expect } from 'chai';
import { ApiFixture } from '../support/api-fixture';
import { KubeFixture } from '../support/kube-fixture';
import { buildScene, type KubeScene } from '../support/kube-scene';
import { testEnv } from '../support/test-env';

type Row = Record<string, unknown>;

/** A full refresh of a namespace through the fleet's refresh path, stored in PostgreSQL and read through the API. */
describe('kubernetes: full refresh', () => {
  let kube: KubeFixture;
  let scene: KubeScene;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    scene = await buildScene(kube);
    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
  });

  const query = (sql: string, params: unknown[] = []): Promise<Row[]> => testEnv().dataSource.query(sql, [kube.provider.id, ...params]);

  it('stores the namespace, and the nodes with their capacity and allocatable', async () => {
    expect(await query('SELECT name, phase FROM container_namespaces WHERE provider_id = $1', [])).to.deep.equal([{ name: kube.namespace, phase: 'Active' }]);
    const nodes = await query(
      `SELECT name, ready, cpu_cores, memory_bytes::text, allocatable_cpu_millicores, allocatable_memory_bytes::text, max_pods
         FROM container_nodes WHERE provider_id = $1 AND name = ANY($2) ORDER BY cpu_cores DESC`, [scene.nodes]);
    expect(nodes).to.deep.equal([
      { name: scene.nodes[0], ready: true, cpu_cores: 4, memory_bytes: String(8 * 2 ** 30), allocatable_cpu_millicores: 3500, allocatable_memory_bytes: String(7 * 2 ** 30), max_pods: 110 },
      { name: scene.nodes[1], ready: true, cpu_cores: 2, memory_bytes: String(4 * 2 ** 30), allocatable_cpu_millicores: 1900, allocatable_memory_bytes: String(3584 * 2 ** 20), max_pods: 50 },
    ]);
  });

  it('links each pod to its node, namespace and replica set, with its phase and IPs', async () => {
    const pods = await query(
      `SELECT p.name, p.phase, p.pod_ip, p.host_ip, p.namespace_name, n.name AS node, ns.name AS namespace, rs.name AS replica_set, p.labels
         FROM container_pods p LEFT JOIN container_nodes n ON n.id = p.node_id LEFT JOIN container_namespaces ns ON ns.id = p.namespace_id
         LEFT JOIN container_replica_sets rs ON rs.id = p.replica_set_id WHERE p.provider_id = $1 ORDER BY p.name`);
    const base = { phase: 'Running', host_ip: '127.0.0.1', namespace_name: kube.namespace, namespace: kube.namespace };
    expect(pods).to.deep.equal([
      { ...base, name: scene.pods.webA, pod_ip: '10.244.0.10', node: scene.nodes[0], replica_set: scene.replicaSet.name, labels: { app: 'web' } },
      { ...base, name: scene.pods.webB, pod_ip: '10.244.1.11', node: scene.nodes[1], replica_set: null, labels: { app: 'web' } },
      { ...base, name: scene.pods.worker, pod_ip: '10.244.1.12', node: scene.nodes[1], replica_set: null, labels: { app: 'worker' } },
    ]);
  });

  it('stores each pod\'s containers with image, state, restart count and readiness', async () => {
    const containers = await query(
      `SELECT p.name AS pod, c.name, c.image, c.state, c.state_reason, c.restart_count, c.ready
         FROM containers c JOIN container_pods p ON p.id = c.pod_id WHERE c.provider_id = $1 ORDER BY p.name, c.name`);
    expect(containers).to.deep.equal([
      { pod: scene.pods.webA, name: 'c0', image: 'nginx:1.25', state: 'running', state_reason: null, restart_count: 0, ready: true },
      { pod: scene.pods.webB, name: 'c0', image: 'nginx:1.25', state: 'running', state_reason: null, restart_count: 3, ready: true },
      { pod: scene.pods.webB, name: 'c1', image: 'envoy:1.28', state: 'running', state_reason: null, restart_count: 1, ready: false },
      { pod: scene.pods.worker, name: 'c0', image: 'busybox:1.36', state: 'waiting', state_reason: 'CrashLoopBackOff', restart_count: 7, ready: false },
    ]);
  });

  it('links the service to the pods its selector matches, and only those', async () => {
    const links = await query(
      `SELECT s.name AS service, p.name AS pod FROM container_service_pods l JOIN container_services s ON s.id = l.service_id
         JOIN container_pods p ON p.id = l.pod_id WHERE l.provider_id = $1 ORDER BY p.name`);
    expect(links).to.deep.equal([{ service: scene.service, pod: scene.pods.webA }, { service: scene.service, pod: scene.pods.webB }]);
    const [service] = await query('SELECT name, namespace_name, selector, ports FROM container_services WHERE provider_id = $1 AND name = $2', [scene.service]);
    expect(service).to.deep.include({ namespace_name: kube.namespace, selector: { app: 'web' } });
    expect(service.ports).to.deep.equal([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80, nodePort: null }]);
  });

  it('stores the deployment\'s replicas and the replica set it owns', async () => {
    const [deployment] = await query('SELECT ems_ref, name, replicas, ready_replicas FROM container_deployments WHERE provider_id = $1');
    expect(deployment).to.deep.equal({ ems_ref: scene.deployment.uid, name: scene.deployment.name, replicas: 3, ready_replicas: 0 });
    const sets = await query(
      `SELECT rs.ems_ref, rs.replicas, d.name AS deployment FROM container_replica_sets rs JOIN container_deployments d ON d.id = rs.deployment_id
        WHERE rs.provider_id = $1`);
    expect(sets).to.deep.equal([{ ems_ref: scene.replicaSet.uid, replicas: 1, deployment: scene.deployment.name }]);
  });

  it('links the claim to its volume and the pod that mounts it to the claim', async () => {
    const claims = await query(
      `SELECT c.name, c.phase, c.requested_bytes::text, c.capacity_bytes::text, v.name AS volume FROM container_persistent_volume_claims c
         LEFT JOIN container_persistent_volumes v ON v.id = c.persistent_volume_id WHERE c.provider_id = $1`);
    expect(claims).to.deep.equal([{ name: scene.claim, phase: 'Bound', requested_bytes: String(5 * 2 ** 30), capacity_bytes: String(10 * 2 ** 30), volume: scene.volume }]);
    const [volume] = await query('SELECT capacity_bytes::text, reclaim_policy, storage_class FROM container_persistent_volumes WHERE provider_id = $1 AND name = $2', [scene.volume]);
    expect(volume).to.deep.equal({ capacity_bytes: String(10 * 2 ** 30), reclaim_policy: 'Retain', storage_class: 'manual' });
    const mounts = await query(
      `SELECT p.name AS pod, c.name AS claim FROM container_pod_volume_claims l JOIN container_pods p ON p.id = l.pod_id
         JOIN container_persistent_volume_claims c ON c.id = l.persistent_volume_claim_id WHERE l.provider_id = $1`);
    expect(mounts).to.deep.equal([{ pod: scene.pods.worker, claim: scene.claim }]);
  });

  it('shows a pod\'s node, namespace, replica set, containers, services and claims through the inventory API', async () => {
    const api = await ApiFixture.start();
    try {
      for (const [name, expected] of [
        [scene.pods.webA, { node: scene.nodes[0], replicaSet: scene.replicaSet.name, containers: ['c0'], services: [scene.service], claims: [] }],
        [scene.pods.worker, { node: scene.nodes[1], replicaSet: null, containers: ['c0'], services: [], claims: [scene.claim] }],
      ] as const) {
        const [{ id }] = await query('SELECT id::text FROM container_pods WHERE provider_id = $1 AND name = $2', [name]);
        const response = await api.get(`/api/v1/inventory/container_pods/${String(id)}`);
        expect(response.statusCode, response.body).to.equal(200);
        const pod = response.json() as Row & { relations: Record<string, (Row & Row[]) | null> };
        expect(pod).to.include({ name, phase: 'Running', namespaceName: kube.namespace });
        const { node, namespace, replicaSet, containers, services, persistentVolumeClaims } = pod.relations;
        expect(node?.name).to.equal(expected.node);
        expect(namespace?.name).to.equal(kube.namespace);
        expect(replicaSet?.name ?? null).to.equal(expected.replicaSet);
        expect((containers ?? []).map((c) => c.name)).to.deep.equal(expected.containers);
        expect((services ?? []).map((s) => s.name)).to.deep.equal(expected.services);
        expect((persistentVolumeClaims ?? []).map((c) => c.name)).to.deep.equal(expected.claims);
      }
    } finally {
      await api.close();
    }
  });
});
