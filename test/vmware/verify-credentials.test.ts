import { expect } from 'chai';
import { InvalidCredentialsError, ValidationError } from '../../src/errors';
import { ProviderStore } from '../../src/providers/provider-store';
import { capturedLogger, type CapturedLogger } from '../support/captured-logger';
import { freePort } from '../support/free-port';
import { uniqueName } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';
import { PrivateVcsim } from '../support/vcsim';

/** verifyCredentials of a `vmware` provider (the add-provider check) against a live vcsim. */
describe('vmware: verifyCredentials', () => {
  const vcsim = new PrivateVcsim();
  let log: CapturedLogger;
  let store: ProviderStore;

  before(async function () {
    this.timeout(60_000);
    await vcsim.start();
  });
  after(async () => {
    await vcsim.stop();
  });
  beforeEach(() => {
    const env = testEnv();
    log = capturedLogger();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: log.logger });
  });

  /** What the check throws, undefined when it passes; checked never to quote the password, nor to log it. */
  async function verify(config: Record<string, unknown>, password = vcsim.password): Promise<Error | undefined> {
    const error = await store.verify({
      type: 'vmware', name: uniqueName('vcenter-verify'),
      config: { sdkUrl: vcsim.sdkUrl, insecureSkipTlsVerify: false, pageSize: 100, timeoutSeconds: 10, ...config },
      credentials: { username: vcsim.username, password },
    }).then(() => undefined, (e: unknown) => e);
    if (error !== undefined) {
      expect(error).to.be.instanceOf(Error);
      const failure = error as Error;
      for (const text of [failure.message, String(failure.stack), JSON.stringify(failure)]) expect(text).not.to.include(password);
    }
    expect(log.text()).not.to.include(password);
    return error as Error | undefined;
  }

  it('accepts the user over TLS verified against the CA given, against the pinned fingerprint, or unverified when told to', async () => {
    expect(await verify({ caCertificate: vcsim.certificatePem })).to.equal(undefined);
    expect(await verify({ certificateFingerprint: vcsim.certificateFingerprint })).to.equal(undefined);
    expect(await verify({ certificateFingerprint: vcsim.certificateFingerprint.replace(/:/g, '').toLowerCase() })).to.equal(undefined);
    expect(await verify({ insecureSkipTlsVerify: true })).to.equal(undefined);
  });

  it('takes a wrong password as invalid credentials (InvalidLogin)', async () => {
    const error = await verify({ caCertificate: vcsim.certificatePem }, `wrong-${vcsim.password}`);
    expect(error).to.be.instanceOf(InvalidCredentialsError);
    expect(error?.message).to.match(/^vCenter at 127\.0\.0\.1:\d+ refused the user name or password \(InvalidLogin\)$/);
  });

  it('says the certificate is not trusted without a CA, and names both fingerprints when the pinned one differs', async () => {
    const untrusted = await verify({});
    expect(untrusted?.message).to.match(/TLS failed: the certificate of 127\.0\.0\.1:\d+ is not trusted/);
    expect(untrusted?.message).to.include('insecureSkipTlsVerify');
    const other = 'AB:'.repeat(31) + 'AB';
    const mismatch = await verify({ certificateFingerprint: other });
    expect(mismatch?.message).to.include(`has SHA-256 fingerprint ${vcsim.certificateFingerprint}, which is not the pinned one (${other})`);
  });

  it('says the connection was refused on a closed loopback port', async () => {
    const port = await freePort();
    const error = await verify({ sdkUrl: `https://127.0.0.1:${port}/sdk`, insecureSkipTlsVerify: true });
    expect(error?.message).to.include(`connection refused by 127.0.0.1:${port}`);
  });

  it('says an endpoint that is not the SDK did not answer as vSphere', async () => {
    const error = await verify({ sdkUrl: vcsim.sdkUrl.replace(/\/sdk$/, '/not-the-sdk'), caCertificate: vcsim.certificatePem });
    expect(error?.message).to.match(/did not answer as a vSphere SDK endpoint \(HTTP 404/);
    expect(error?.message).to.include('is /not-the-sdk vCenter\'s SDK path (usually /sdk)?');
  });

  it('refuses more than one way to trust the certificate, and a URL that is not https', async () => {
    const both = await verify({ caCertificate: vcsim.certificatePem, insecureSkipTlsVerify: true });
    expect(both).to.be.instanceOf(ValidationError);
    expect(both?.message).to.include('give at most one of caCertificate, certificateFingerprint and insecureSkipTlsVerify');
    const plain = await verify({ sdkUrl: vcsim.sdkUrl.replace(/^https:/, 'http:') });
    expect(plain).to.be.instanceOf(ValidationError);
    expect(plain?.message).to.match(/^config\.sdkUrl: must be an https:\/\/ URL without user:password@, query or fragment/);
  });
});
