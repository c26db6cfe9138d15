import { expect } from 'chai';
import { InvalidCredentialsError } from '../../src/errors';
import { KubeFixture, runningStatus } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';

/** A refresh the API server refuses (RBAC, or a token it does not know) keeps the inventory, and never records the token. */
describe('kubernetes: a refused refresh', () => {
  let kube: KubeFixture;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await KubeFixture.start();
    for (const name of ['kept-a', 'kept-b']) {
      await kube.createPod(name, { labels: { app: 'kept' } });
      await kube.markRunning(name, '10.244.6.1', [runningStatus('c0', 'nginx:1.25')]);
    }
    await kube.core.createNamespacedService({ namespace: kube.namespace, body: { metadata: { name: 'kept' }, spec: { selector: { app: 'kept' }, ports: [{ port: 80 }] } } });
    const outcome = await kube.refresh();
    expect(outcome.status, String(outcome.error)).to.equal('ok');
  });

  async function expectInventoryKept(): Promise<void> {
    expect(await kube.names('container_pods')).to.deep.equal(['kept-a', 'kept-b']);
    expect(await kube.names('container_services')).to.deep.equal(['kept']);
    expect(await kube.names('container_namespaces')).to.deep.equal([kube.namespace]);
    expect((await kube.rows('container_service_pods')).length).to.equal(2);
    expect((await kube.rows('containers', 'archived_at IS NULL')).length).to.equal(2);
  }

  async function expectTokenNowhere(token: string, refreshRunId: string): Promise<void> {
    const rows: { row: string }[] = await testEnv().dataSource.query(
      `SELECT row_to_json(r)::text AS row FROM refresh_runs r WHERE id = $1 UNION ALL SELECT row_to_json(p)::text FROM providers p WHERE id = $2`,
      [refreshRunId, kube.provider.id]);
    expect(rows).to.have.length(2);
    for (const { row } of rows) expect(row).not.to.include(token);
  }

  it('marks every collection RBAC refuses incomplete, names the refused listing, and deletes nothing', async () => {
    await kube.store.update(kube.provider.id, { credentials: { token: kube.kube.noRightsToken } }, { verify: false });
    const outcome = await kube.refresh();
    expect(outcome.status).to.equal('partial');
    expect(outcome.error).to.match(new RegExp(`may not list pods in namespace ${kube.namespace}: RBAC refused it`));
    for (const collection of ['pods', 'containers', 'services', 'servicePods', 'namespaces']) {
      expect(outcome.stats.collections[collection], collection).to.include({ deleted: 0 });
      expect(outcome.stats.collections[collection].incomplete, collection).to.be.a('string');
    }
    await expectInventoryKept();
    await expectTokenNowhere(kube.kube.noRightsToken, outcome.refreshRunId);
  });

  it('fails on a token the server does not know, saying so, and deletes nothing', async () => {
    const unknown = 'fleet-test-token-the-server-never-issued';
    await kube.store.update(kube.provider.id, { credentials: { token: unknown } }, { verify: false });
    const error = await kube.refresh().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidCredentialsError);
    expect((error as Error).message).to.include('refused the token (HTTP 401').and.not.include(unknown);
    await expectInventoryKept();
    const [run] = await testEnv().dataSource.query('SELECT id, status FROM refresh_runs WHERE provider_id = $1 ORDER BY id DESC LIMIT 1', [kube.provider.id]);
    expect(run.status).to.equal('failed');
    await expectTokenNowhere(unknown, String(run.id));
  });
});
