import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { KubeCassetteFixture } from '../support/kube-cassette-fixture';
import { KUBE_CASSETTES, type RefreshScenario } from '../cassettes/kube-scenarios';

/** A listing throttled by the API server (429 with Retry-After), from a cassette recorded against the real server. */
describe('kubernetes cassettes: a throttled listing', () => {
  it('asks again for the page answered 429 and ends ok with every pod', async () => {
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
});
