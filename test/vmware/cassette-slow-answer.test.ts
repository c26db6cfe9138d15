import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { VmwareCassetteFixture } from '../support/vmware-cassette-fixture';
import { VMWARE_CASSETTES, type VcenterScenario } from '../cassettes/vmware-scenarios';

/**
 * An answer slower than the provider's timeout (1 s). The recorder held vcsim's answers to the VMs' retrieval 2 s
 * each time the client asked (vcsim answers at once); between this recording and continue-pages a VM was destroyed
 * and the cluster renamed.
 */
describe('vmware cassettes: an answer past the timeout', () => {
  it('fails the call with the deadline, ends partial and deletes nothing of the VMs\' collections', async function () {
    this.timeout(60_000);
    const before = loadCassette<VcenterScenario>(VMWARE_CASSETTES.continuePages).scenario;
    const slow = loadCassette<VcenterScenario>(VMWARE_CASSETTES.slowAnswer);
    const held = slow.interactions.filter(({ response }) => response.delayMs !== undefined);
    expect(held.length, 'every attempt the client made was held').to.be.greaterThan(1);
    expect(held.every(({ response }) => (response.delayMs ?? 0) > slow.scenario.timeoutSeconds * 1000)).to.equal(true);
    const vcenter = await VmwareCassetteFixture.create(before);
    expect((await vcenter.refreshWith(VMWARE_CASSETTES.continuePages)).status).to.equal('ok');
    const disks = await vcenter.rows('infra_disks');

    const outcome = await vcenter.refreshWith(VMWARE_CASSETTES.slowAnswer);

    expect(outcome.status).to.equal('partial');
    for (const collection of ['vms', 'disks', 'vmDatastores', 'vmNetworks']) {
      expect(outcome.stats.collections[collection], collection).to.include({ deleted: 0 });
      expect(outcome.stats.collections[collection].incomplete, collection).to.equal('vms: RetrievePropertiesEx: no answer from 127.0.0.1:6443 within 1 s');
    }
    expect(await vcenter.names('infra_vms')).to.deep.equal(before.vms);
    expect(await vcenter.rows('infra_disks')).to.deep.equal(disks);
    expect(await vcenter.names('infra_clusters')).to.deep.equal(slow.scenario.clusters);
  });
});
