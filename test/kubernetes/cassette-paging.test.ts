import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { KubeCassetteFixture } from '../support/kube-cassette-fixture';
import { KUBE_CASSETTES, type RefreshScenario } from '../cassettes/kube-scenarios';

/**
 * Listings of several pages, from cassettes recorded against the real API server: the continue chain is followed to
 * its end, and a continue token that expired (410 Gone) starts the listing over without storing anything twice.
 */
describe('kubernetes cassettes: paged listings', () => {
  const scenario = loadCassette<RefreshScenario>(KUBE_CASSETTES.continuePages).scenario;

  async function expectEveryObjectOnce(kube: KubeCassetteFixture): Promise<void> {
    expect(await kube.names('container_pods')).to.deep.equal(scenario.pods);
    expect(await kube.names('container_services')).to.deep.equal(scenario.services);
    expect(await kube.count('container_pods'), 'one row per pod').to.equal(scenario.pods.length);
    expect(await kube.count('containers', 'archived_at IS NULL')).to.equal(scenario.pods.length * scenario.containersPerPod);
    expect(await kube.count('container_service_pods')).to.equal(scenario.pods.length * scenario.services.length);
  }

  it('follows the continue token through every page of pods (3) and services (2)', async () => {
    const kube = await KubeCassetteFixture.create(scenario);
    const outcome = await kube.refreshWith(KUBE_CASSETTES.continuePages);

    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.pods).to.include({ created: scenario.pods.length, deleted: 0 });
    await expectEveryObjectOnce(kube);
  });

  it('starts a listing over when its continue token expired (410 Gone), storing each object once', async () => {
    const expired = loadCassette<RefreshScenario>(KUBE_CASSETTES.expiredContinue);
    expect(expired.interactions.map((i) => i.response.status), 'the recording holds the server\'s 410').to.include(410);
    const kube = await KubeCassetteFixture.create(expired.scenario);
    const outcome = await kube.refreshWith(KUBE_CASSETTES.expiredContinue);

    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.pods).to.include({ created: scenario.pods.length, deleted: 0 });
    expect(outcome.stats.collections.pods.incomplete).to.equal(undefined);
    await expectEveryObjectOnce(kube);
  });
});
