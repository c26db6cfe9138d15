import { expect } from 'chai';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

describe('deleting a provider', () => {
  it('removes its credentials, inventory, refresh runs and change history, and nothing of other providers', async () => {
    const doomed = await DemoFixture.start({ vms: 10, seed: 1 });
    const kept = await DemoFixture.start({ vms: 10, seed: 2 });
    try {
      await doomed.refresh();
      await kept.refresh();
      const count = async (table: string, providerId: string): Promise<number> =>
        (await testEnv().dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE provider_id = $1`, [providerId]))[0].n;
      const tables = ['authentications', 'cloud_hosts', 'cloud_vms', 'cloud_volumes', 'cloud_vm_security_groups', 'refresh_runs', 'inventory_changes'];
      const keptBefore = await Promise.all(tables.map((t) => count(t, kept.provider.id)));
      expect(await count('inventory_changes', doomed.provider.id)).to.be.greaterThan(0);

      await doomed.store.delete(doomed.provider.name);

      expect(await Promise.all(tables.map((t) => count(t, doomed.provider.id)))).to.deep.equal(tables.map(() => 0));
      expect(await Promise.all(tables.map((t) => count(t, kept.provider.id)))).to.deep.equal(keptBefore);
    } finally {
      await doomed.close();
      await kept.close();
    }
  });
});
