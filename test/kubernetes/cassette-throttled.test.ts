import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { KubeCassetteFixture } from '../support/kube-cassette-fixture';
import { KUBE_CASSETTES, type RefreshScenario } from '../cassettes/kube-scenarios';

/** A listing throttled by the API server (429 with Retry-After), from cassettes recorded against the real server. */
describe('kubernetes cassettes: a throttled listing', () => {
  it('asks again for the page answered 429 once the wait it asked for is over, and ends ok with every pod', async () => {
    const cassette = loadCassette<RefreshScenario>(KUBE_CASSETTES.throttled);
    const throttled = cassette.interactions.find((i) => i.response.status === 429);
    expect(throttled?.response.headers, 'the recording asks to wait').to.include({ 'retry-after': '1' });
    const { scenario } = cassette;
    const kube = await KubeCassetteFixture.create(scenario);
    // The cassette answers the page once with 429, then with its pods: it fails unless both were asked for.
    const outcome = await kube.refreshWith(KUBE_CASSETTES.throttled);

    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.pods).to.include({ created: scenario.pods.length, deleted: 0 });
    expect(await kube.names('container_pods')).to.deep.equal(scenario.pods);
    expect(await kube.count('containers', 'archived_at IS NULL')).to.equal(scenario.pods.length * scenario.containersPerPod);
  });

  it('reads Retry-After: a wait longer than a request may take fails the listing at once, deleting nothing', async () => {
    const { scenario } = loadCassette<RefreshScenario>(KUBE_CASSETTES.continuePages);
    const kube = await KubeCassetteFixture.create(scenario);
    expect((await kube.refreshWith(KUBE_CASSETTES.continuePages)).status).to.equal('ok');

    // The cassette has no second answer for the throttled page: asking again (not reading the header) fails the test.
    const outcome = await kube.refreshWith(KUBE_CASSETTES.throttledTooLong);

    expect(outcome.status).to.equal('partial');
    expect(outcome.stats.collections.pods).to.include({ deleted: 0 });
    expect(outcome.stats.collections.pods.incomplete).to.match(/HTTP 429 \(Too Many Requests\) and asked to wait 120 s/);
    expect(await kube.names('container_pods')).to.deep.equal(scenario.pods);
    expect(await kube.count('containers', 'archived_at IS NULL')).to.equal(scenario.pods.length * scenario.containersPerPod);
  });
});
