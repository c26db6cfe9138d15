import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { VmwareCassetteFixture } from '../support/vmware-cassette-fixture';
import { VMWARE_CASSETTES, type VcenterScenario } from '../cassettes/vmware-scenarios';

/** How many retrievals of the cassette ask for objects of `type`, and how many pages their answers came in. */
function pagesOf(type: string): { retrievals: number; pages: number } {
  const { interactions } = loadCassette(VMWARE_CASSETTES.continuePages);
  let retrievals = 0;
  let pages = 0;
  interactions.forEach(({ request }, at) => {
    if (request.soap?.method !== 'RetrievePropertiesEx' || !request.body?.includes(`<type>${type}</type>`)) return;
    retrievals += 1;
    for (let next = at; next === at || interactions[next]?.request.soap?.method === 'ContinueRetrievePropertiesEx'; next += 1) pages += 1;
  });
  return { retrievals, pages };
}

/**
 * A full refresh whose retrievals come in pages. vcsim never pages: the cassette is a real recording of the
 * provider's refresh against vcsim whose answers the recorder cut into pages of the provider's page size (2), each
 * with a token that the ContinueRetrievePropertiesEx answers it added follow (madeByRecorder says so).
 */
describe('vmware cassettes: paged retrievals', () => {
  const cassette = loadCassette<VcenterScenario>(VMWARE_CASSETTES.continuePages);
  const { scenario } = cassette;

  it('follows the continuation token through every page to the end, storing each object once', async () => {
    const continued = cassette.interactions.filter(({ request }) => request.soap?.method === 'ContinueRetrievePropertiesEx');
    expect(continued.length, 'the recording has pages after the first').to.be.greaterThan(0);
    expect(continued.every((interaction) => interaction.madeByRecorder !== undefined), 'the pages after the first are the recorder\'s').to.equal(true);
    // The collector names a page of a view's members per retrieval; each is answered in pages of fewer objects.
    for (const type of ['VirtualMachine', 'HostSystem']) {
      const { retrievals, pages } = pagesOf(type);
      expect(retrievals, `retrievals of ${type}`).to.be.greaterThan(1);
      expect(pages, `pages of ${type}: some retrievals were continued`).to.be.greaterThan(retrievals);
    }

    const vcenter = await VmwareCassetteFixture.create(scenario);
    const outcome = await vcenter.refreshWith(VMWARE_CASSETTES.continuePages);

    expect(outcome.status, String(outcome.error)).to.equal('ok');
    expect(outcome.stats.collections.vms).to.include({ created: scenario.vms.length, deleted: 0 });
    for (const [table, names] of [
      ['infra_vms', scenario.vms], ['infra_hosts', scenario.hosts], ['infra_clusters', scenario.clusters],
      ['infra_datastores', scenario.datastores], ['infra_networks', scenario.networks],
    ] as const) {
      expect(await vcenter.names(table), table).to.deep.equal(names);
      expect(await vcenter.count(table), `${table}: one row each`).to.equal(names.length);
    }
  });
});
