import { expect } from 'chai';
import { InvalidCredentialsError } from '../../src/errors';
import { ProviderStore } from '../../src/providers/provider-store';
import { capturedLogger, type CapturedLogger } from '../support/captured-logger';
import { freePort } from '../support/free-port';
import { uniqueName } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';
import { testKube, type RunningKube } from '../support/test-kube';

/** verifyCredentials of a `kubernetes` provider against the run's real API server. */
describe('kubernetes: verifyCredentials', () => {
  let kube: RunningKube;
  let log: CapturedLogger;
  let store: ProviderStore;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await testKube();
  });
  beforeEach(() => {
    const env = testEnv();
    log = capturedLogger();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: log.logger });
  });

  /**
   * What the add-provider check (the provider's verifyCredentials) throws, undefined when it passes; checked never
   * to quote the token, in its message, stack or serialized form, nor in anything logged.
   */
  async function verify(config: Record<string, unknown>, token: string): Promise<Error | undefined> {
    const error = await store.verify({
      type: 'kubernetes', name: uniqueName('kube-verify'),
      config: { server: kube.url, insecureSkipTlsVerify: false, namespaces: [], pageSize: 100, timeoutSeconds: 10, ...config },
      credentials: { token },
    }).then(() => undefined, (e: unknown) => e);
    if (error !== undefined) {
      expect(error).to.be.instanceOf(Error);
      const failure = error as Error;
      expect(failure.message).not.to.include(token);
      expect(String(failure.stack)).not.to.include(token);
      expect(JSON.stringify(failure)).not.to.include(token);
    }
    expect(log.text()).not.to.include(token);
    return error as Error | undefined;
  }

  it('accepts the admin token over TLS verified against the CA given', async () => {
    expect(await verify({ caCertificate: kube.caPem }, kube.adminToken)).to.equal(undefined);
  });

  it('accepts the admin token scoped to namespaces that exist', async () => {
    expect(await verify({ caCertificate: kube.caPem, namespaces: ['default', 'kube-system'] }, kube.adminToken)).to.equal(undefined);
  });

  it('takes an unknown token as invalid credentials', async () => {
    const error = await verify({ caCertificate: kube.caPem }, 'not-a-token-the-server-knows-4f1c2a');
    expect(error).to.be.instanceOf(InvalidCredentialsError);
    expect(error?.message).to.match(/refused the token \(HTTP 401/);
  });

  it('names the verb and resource RBAC refused to a token without rights', async () => {
    const error = await verify({ caCertificate: kube.caPem }, kube.noRightsToken);
    expect(error?.message).to.match(/may not list \w+ \(cluster-wide\): RBAC refused it \(HTTP 403\)/);
  });

  it('names the namespaced listing RBAC refused when the provider is scoped to namespaces', async () => {
    const error = await verify({ caCertificate: kube.caPem, namespaces: ['default'] }, kube.noRightsToken);
    expect(error?.message).to.match(/the token may not (get namespaces default|list \w+ in namespace default): RBAC refused it \(HTTP 403\)/);
  });

  it('says the certificate is not trusted without a CA and without skipping verification', async () => {
    const error = await verify({}, kube.adminToken);
    expect(error?.message).to.match(/TLS failed: the API server's certificate at 127\.0\.0\.1:\d+ is not trusted/);
    expect(error?.message).to.include('insecureSkipTlsVerify');
  });

  it('says the connection was refused on a closed loopback port', async () => {
    const port = await freePort();
    const error = await verify({ server: `https://127.0.0.1:${port}`, caCertificate: kube.caPem }, kube.adminToken);
    expect(error?.message).to.include(`connection refused by 127.0.0.1:${port}`);
  });

  it('connects without a CA when told to skip TLS verification', async () => {
    expect(await verify({ insecureSkipTlsVerify: true }, kube.adminToken)).to.equal(undefined);
  });

  it('says which configured namespace does not exist', async () => {
    const missing = uniqueName('missing');
    const error = await verify({ caCertificate: kube.caPem, namespaces: [missing] }, kube.adminToken);
    expect(error?.message).to.include(`namespace "${missing}" does not exist`);
  });
});
