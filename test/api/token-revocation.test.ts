import { expect } from 'chai';
import { ApiTokenStore } from '../../src/server/api/api-token-store';
import { ApiFixture } from '../support/api-fixture';
import { testEnv } from '../support/test-env';

describe('API: token revocation across servers', function () {
  const servers: ApiFixture[] = [];

  before(async () => {
    // Two API servers on one database, as two `fleet server` processes are: each has its own token store.
    servers.push(await ApiFixture.start(), await ApiFixture.start());
  });
  after(async () => {
    for (const server of servers.splice(0)) await server.close();
  });

  it('refuses a revoked token on the very next request to every server', async () => {
    // The operator's `fleet token` works on a store of its own, as the CLI process does.
    const cli = new ApiTokenStore(testEnv().dataSource);
    const name = `cli-revocation-${Date.now()}`;
    const { token } = await cli.create(name);
    const status = async (server: ApiFixture) =>
      (await server.request({ method: 'GET', url: '/api/v1/providers', headers: { authorization: `Bearer ${token}` } })).statusCode;
    // Each server has checked the token, more than once, before it is revoked.
    for (let i = 0; i < 3; i += 1) expect(await Promise.all(servers.map(status))).to.deep.equal([200, 200]);

    await cli.revoke(name);
    expect(await Promise.all(servers.map(status))).to.deep.equal([401, 401]);
  });

  it('refuses it on the server that revoked it and on the other one', async () => {
    const name = `api-revocation-${Date.now()}`;
    const { token } = await servers[0].tokens.create(name);
    const status = async (server: ApiFixture) =>
      (await server.request({ method: 'GET', url: '/api/v1/providers', headers: { authorization: `Bearer ${token}` } })).statusCode;
    expect(await Promise.all(servers.map(status))).to.deep.equal([200, 200]);

    await servers[0].tokens.revoke(name);
    expect(await Promise.all(servers.map(status))).to.deep.equal([401, 401]);
  });
});
