import { expect } from 'chai';
import { loadCassette } from '../support/cassette';
import { VmwareCassetteFixture } from '../support/vmware-cassette-fixture';
import { VMWARE_CASSETTES, type VcenterScenario } from '../cassettes/vmware-scenarios';

const VM_COLLECTIONS = ['vms', 'disks', 'vmDatastores', 'vmNetworks'];

/**
 * A fault in the middle of a paged retrieval. Between the two recordings a VM was destroyed and the cluster
 * renamed; in the second, the pages are cut by the recorder as in continue-pages, and the second
 * ContinueRetrievePropertiesEx of the VMs answers a SOAP fault (InvalidArgument, written by the recorder as vcsim
 * writes faults: vcsim has no paging whose token could be lost).
 */
describe('vmware cassettes: a fault in the middle of the pages', () => {
  it('ends partial, deletes nothing of the VMs\' collections, gives the token up, and applies the retrievals that completed', async () => {
    const before = loadCassette<VcenterScenario>(VMWARE_CASSETTES.continuePages).scenario;
    const after = loadCassette<VcenterScenario>(VMWARE_CASSETTES.faultMidPage).scenario;
    expect(after.vms, 'a VM was destroyed between the recordings').to.have.length(before.vms.length - 1);
    const vcenter = await VmwareCassetteFixture.create(before);
    expect((await vcenter.refreshWith(VMWARE_CASSETTES.continuePages)).status).to.equal('ok');
    const stored = { disks: await vcenter.rows('infra_disks'), vmDatastores: await vcenter.rows('infra_vm_datastores'), vmNetworks: await vcenter.rows('infra_vm_networks') };

    // The cassette also holds the CancelRetrievePropertiesEx that gives the failed retrieval's token up: played through, it was asked.
    const outcome = await vcenter.refreshWith(VMWARE_CASSETTES.faultMidPage);

    expect(outcome.status).to.equal('partial');
    for (const collection of VM_COLLECTIONS) {
      expect(outcome.stats.collections[collection], collection).to.include({ deleted: 0 });
      expect(outcome.stats.collections[collection].incomplete, collection).to.match(/^vms: ContinueRetrievePropertiesEx: vCenter at 127\.0\.0\.1:6443 answered with a fault: InvalidArgument/);
    }
    // The destroyed VM is kept with its disks and links: the retrieval that would have told it gone never ended.
    expect(await vcenter.names('infra_vms')).to.deep.equal(before.vms);
    expect({ disks: await vcenter.rows('infra_disks'), vmDatastores: await vcenter.rows('infra_vm_datastores'), vmNetworks: await vcenter.rows('infra_vm_networks') })
      .to.deep.equal(stored);
    // The structure's retrieval completed: the renamed cluster is stored under its new name.
    expect(await vcenter.names('infra_clusters')).to.deep.equal(after.clusters).and.not.deep.equal(before.clusters);
    expect(outcome.stats.collections.clusters).to.include({ updated: 1 });
    expect(outcome.stats.collections.clusters.incomplete).to.equal(undefined);
  });
});
