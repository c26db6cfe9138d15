import { expect } from 'chai';
import type { ChangeFeed } from '../../src/db/change-feed';
import { ACCEPTED_TOKEN_TTL_MS, ApiTokenStore } from '../../src/api/api-token-store';
import { ApiFixture } from '../support/api-fixture';
import { testEnv } from '../support/test-env';

/** The store's feed of changes: it listens (an API server's store does from its start). */
function changesOf(tokens: ApiTokenStore): ChangeFeed {
  if (!tokens.changeFeed) throw new Error('the token store does not listen for changes');
  return tokens.changeFeed;
}

describe('API: token revocation across servers', function () {
  const servers: ApiFixture[] = [];

  before(async () => {
    // Two API servers on one database, as two `fleet server` processes are: each has its own token store.
    servers.push(await ApiFixture.start(), await ApiFixture.start());
  });
  after(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it('refuses a revoked token on every server once PostgreSQL notifies them of the revocation', async () => {
    // The operator's `fleet token` works on a store of its own, as the CLI process does.
    const cli = new ApiTokenStore(testEnv().dataSource);
    const name = `cli-revocation-${Date.now()}`;
    const { token } = await cli.create(name);
    const status = async (server: ApiFixture) =>
      (await server.request({ method: 'GET', url: '/api/v1/providers', headers: { authorization: `Bearer ${token}` } })).statusCode;
    // Each server has checked the token, more than once, before it is revoked.
    for (let i = 0; i < 3; i += 1) expect(await Promise.all(servers.map(status))).to.deep.equal([200, 200]);

    const heard = Promise.all(servers.map((server) => changesOf(server.tokens).nextChange()));
    await cli.revoke(name);
    await heard;
    expect(await Promise.all(servers.map(status))).to.deep.equal([401, 401]);
  });

  it('refuses it on the server that revoked it and on the other one', async () => {
    const name = `api-revocation-${Date.now()}`;
    const { token } = await servers[0].tokens.create(name);
    const status = async (server: ApiFixture) =>
      (await server.request({ method: 'GET', url: '/api/v1/providers', headers: { authorization: `Bearer ${token}` } })).statusCode;
    expect(await Promise.all(servers.map(status))).to.deep.equal([200, 200]);

    const heard = Promise.all(servers.map((server) => changesOf(server.tokens).nextChange()));
    await servers[0].tokens.revoke(name);
    await heard;
    expect(await Promise.all(servers.map(status))).to.deep.equal([401, 401]);
  });

  describe('when no notification comes', () => {
    let clock = Date.now();
    let store: ApiTokenStore;
    before(() => {
      store = new ApiTokenStore(testEnv().dataSource, () => clock);
    });
    after(() => store.close());

    /** Revokes the token with the notifying trigger off for this statement only: a notification that got lost. */
    const revokeUnheard = (name: string) => testEnv().dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL session_replication_role = replica`);
      await manager.query('UPDATE api_tokens SET revoked_at = now() WHERE name = $1', [name]);
    });

    it(`trusts an accepted token ${ACCEPTED_TOKEN_TTL_MS} ms at most`, async () => {
      const name = `unheard-${Date.now()}`;
      const { token, summary } = await store.create(name);
      await store.listen(testEnv().logger);
      expect((await store.authenticate(token))?.id).to.equal(summary.id);

      await revokeUnheard(name);
      // Still trusted: this is the bound the README states, not a lookup.
      clock += ACCEPTED_TOKEN_TTL_MS - 1;
      expect((await store.authenticate(token))?.id).to.equal(summary.id);
      clock += 1;
      expect(await store.authenticate(token)).to.equal(null);
    });

    it('looks every token up while it cannot hear notifications', async () => {
      const name = `deaf-${Date.now()}`;
      const { token, summary } = await store.create(name);
      await store.listen(testEnv().logger);
      expect((await store.authenticate(token))?.id).to.equal(summary.id);

      const lost = changesOf(store).nextChange();
      await testEnv().dataSource.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'provider-fleet-api-tokens' AND datname = current_database()`);
      await lost;
      await revokeUnheard(name);
      expect(await store.authenticate(token)).to.equal(null);
    });
  });
});
