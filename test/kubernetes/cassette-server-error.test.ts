import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { KubeCassetteFixture } from '../support/kube-cassette-fixture';
import { KUBE_CASSETTES, type RefreshScenario } from '../cassettes/kube-scenarios';

/**
 * A listing that fails in its middle (500 on every attempt at its second page), from cassettes recorded against the
 * real server: between the two recordings a pod and a service were deleted.
 */
describe('kubernetes cassettes: a listing failing in its middle', () => {
  it('ends partial, deletes nothing the failed listing fills, and applies the listings that completed', async () => {
    const before = loadCassette<RefreshScenario>(KUBE_CASSETTES.continuePages).scenario;
    const after = loadCassette<RefreshScenario>(KUBE_CASSETTES.serverError).scenario;
    const kube = await KubeCassetteFixture.create(before);
    expect((await kube.refreshWith(KUBE_CASSETTES.continuePages)).status).to.equal('ok');
    const containers = await kube.count('containers', 'archived_at IS NULL');

    const outcome = await kube.refreshWith(KUBE_CASSETTES.serverError);

    expect(outcome.status).to.equal('partial');
    for (const collection of ['pods', 'containers', 'servicePods']) {
      expect(outcome.stats.collections[collection], collection).to.include({ deleted: 0 });
      expect(outcome.stats.collections[collection].incomplete, collection).to.match(/list pods in namespace .*HTTP 500/);
    }
    // The pods the failed listing never reached, and the one deleted meanwhile, are all kept with their containers.
    expect(await kube.names('container_pods')).to.deep.equal(before.pods);
    expect(await kube.count('containers', 'archived_at IS NULL')).to.equal(containers);
    // The services listing completed: the deleted service is gone (with its links); the links of the others to every
    // pod, the unlisted ones included, are kept.
    expect(outcome.stats.collections.services).to.include({ deleted: 1 });
    expect(await kube.names('container_services')).to.deep.equal(after.services);
    expect(await kube.count('container_service_pods')).to.equal(before.pods.length * after.services.length);
  });
});
