import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { VmwareCassetteFixture } from '../support/vmware-cassette-fixture';
import { VMWARE_CASSETTES, type VcenterScenario } from '../cassettes/vmware-scenarios';

/**
 * A session that ends in the middle of a refresh, recorded for real: after the hosts were retrieved, the recorder
 * terminated the provider's session from a session of its own (what vCenter does to a session left idle too long),
 * and vcsim answered the next call NotAuthenticated. Every answer in the cassette is vcsim's own.
 */
describe('vmware cassettes: a session that expires during a refresh', () => {
  it('logs in again once, carries on in the new session, and completes the refresh', async () => {
    const cassette = loadCassette<VcenterScenario>(VMWARE_CASSETTES.sessionExpired);
    expect(cassette.interactions.filter((interaction) => interaction.madeByRecorder !== undefined), 'all vcsim\'s').to.deep.equal([]);
    const refused = cassette.interactions.find(({ response }) => 'text' in response && response.text.includes('xsi:type="NotAuthenticated"'));
    expect(refused?.request.soap, 'the recording holds vcsim\'s NotAuthenticated').to.deep.include({ method: 'CreateContainerView', session: 'session-1' });
    const vcenter = await VmwareCassetteFixture.create(cassette.scenario);

    // Played through exactly: two Logins, and every call after the second in session-2 (the cookie is matched).
    const outcome = await vcenter.refreshWith(VMWARE_CASSETTES.sessionExpired);

    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(cassette.interactions.filter(({ request }) => request.soap?.method === 'Login')).to.have.length(2);
    for (const [table, names] of [
      ['infra_hosts', cassette.scenario.hosts], ['infra_datastores', cassette.scenario.datastores], ['infra_networks', cassette.scenario.networks], ['infra_vms', cassette.scenario.vms],
    ] as const) {
      expect(await vcenter.names(table), table).to.deep.equal(names);
    }
  });
});
