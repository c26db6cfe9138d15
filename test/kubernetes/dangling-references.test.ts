import { expect } from 'chai';
import { KubeFixture, runningStatus, uniqueName } from '../support/kube-fixture';

/**
 * Objects that name others the cluster does not have (a pod scheduled on a node since removed, mounting a claim not
 * yet created, owned by a replica set already gone) are stored without those links, and cost no other row.
 */
describe('kubernetes: references to objects the cluster does not have', () => {
  let kube: KubeFixture;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    await kube.createPod('orphan', {
      labels: { app: 'orphan' }, nodeName: uniqueName('gone-node'), claims: ['not-yet-created'],
      owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: '00000000-0000-4000-8000-000000000000', controller: true },
    });
    await kube.markRunning('orphan', '10.244.5.1', [runningStatus('c0', 'nginx:1.25')]);
    await kube.createPod('plain', { labels: { app: 'plain' } });
  });

  it('stores the pod without the node, claim and replica set it names, and the other pods whole', async () => {
    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(await kube.names('container_pods')).to.deep.equal(['orphan', 'plain']);
    const [orphan] = await kube.rows('container_pods', 'name = $2', ['orphan']);
    expect(orphan).to.deep.include({ node_id: null, replica_set_id: null, phase: 'Running' });
    expect(await kube.rows('container_pod_volume_claims')).to.deep.equal([]);
    expect((await kube.rows('containers')).length).to.equal(2);

    const again = await kube.refresh();
    expect(again.status, String(again.error)).to.equal('ok');
    expect(again.writes).to.equal(0);
  });
});
