import { expect } from 'chai';
import { rootCertificates } from 'node:tls';
import { ProviderApiError } from '../../src/errors';
import { HttpRetryPolicy } from '../../src/providers/http-retry';
import type { VimTlsOptions } from '../../src/providers/vmware/vim-agent';
import { VimClient } from '../../src/providers/vmware/vim-client';
import { freePort } from '../support/free-port';
import { PrivateVcsim, SMALL_VCENTER } from '../support/vcsim';

const NO_TRUST: VimTlsOptions = { caCertificate: null, certificateFingerprint: null, insecureSkipTlsVerify: false };

/**
 * How the client trusts vCenter and what it says when it cannot talk to one: a CA, a pinned fingerprint, an
 * explicit skip; an untrusted or unpinned certificate, a closed port, an endpoint that is not vSphere's SDK.
 */
describe('vmware: trusting vCenter, and failing to reach it', () => {
  const vcsim = new PrivateVcsim(SMALL_VCENTER);
  const clients: VimClient[] = [];

  before(async function () {
    this.timeout(60_000);
    await vcsim.start();
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await vcsim.stop();
  });

  function client(tls: Partial<VimTlsOptions>, sdkUrl = vcsim.sdkUrl): VimClient {
    const made = new VimClient({
      sdkUrl, username: vcsim.username, password: vcsim.password, tls: { ...NO_TRUST, ...tls },
      timeoutMs: 5_000, retry: new HttpRetryPolicy({ maxAttempts: 1 }),
    });
    clients.push(made);
    return made;
  }

  async function loginFailure(vim: VimClient): Promise<Error> {
    const error = await vim.login().then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(ProviderApiError);
    const failure = error as Error;
    for (const text of [failure.message, String(failure.stack)]) expect(text).not.to.include(vcsim.password);
    return failure;
  }

  /** The fingerprint of a certificate vcsim does not serve: the served one with its last byte changed. */
  function otherFingerprint(): string {
    const served = vcsim.certificateFingerprint;
    return `${served.slice(0, -2)}${served.endsWith('00') ? '01' : '00'}`;
  }

  it('logs in when the certificate verifies against the CA given', async () => {
    expect((await client({ caCertificate: vcsim.certificatePem }).login()).userName).to.equal(vcsim.username);
  });

  it('logs in when the certificate is the pinned one, written either way', async () => {
    expect((await client({ certificateFingerprint: vcsim.certificateFingerprint }).login()).userName).to.equal(vcsim.username);
    const bare = vcsim.certificateFingerprint.replace(/:/g, '').toLowerCase();
    expect((await client({ certificateFingerprint: bare }).login()).userName).to.equal(vcsim.username);
  });

  it('refuses a certificate that is not the pinned one, saying whose fingerprint it has', async () => {
    const pinned = otherFingerprint();
    const failure = await loginFailure(client({ certificateFingerprint: pinned }));
    expect(failure.message).to.equal(
      `read the API version: TLS failed: the certificate of 127.0.0.1:${new URL(vcsim.sdkUrl).port} has SHA-256 fingerprint ${vcsim.certificateFingerprint}, which is not the pinned one (${pinned})`,
    );
  });

  it('refuses a certificate that the CA given did not sign', async () => {
    // A real CA, from Node's list of public roots: it signed nothing vcsim serves.
    const failure = await loginFailure(client({ caCertificate: rootCertificates[0]! }));
    expect(failure.message).to.match(/^read the API version: TLS failed: the certificate of 127\.0\.0\.1:\d+ is not trusted \(\w+\); give the CA certificate that signed it, pin its SHA-256 fingerprint, or set insecureSkipTlsVerify$/);
  });

  it('refuses a self-signed certificate when nothing says to trust it', async () => {
    const failure = await loginFailure(client({}));
    expect(failure.message).to.match(/is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
  });

  it('trusts any certificate when told to skip verification', async () => {
    expect((await client({ insecureSkipTlsVerify: true }).login()).userName).to.equal(vcsim.username);
  });

  it('says so when nothing listens at the address', async () => {
    const port = await freePort();
    const failure = await loginFailure(client({ insecureSkipTlsVerify: true }, `https://127.0.0.1:${port}/sdk`));
    expect(failure.message).to.equal(`read the API version: connection refused by 127.0.0.1:${port}; is vCenter running there?`);
  });

  it('says so when the URL is not a vSphere SDK endpoint', async () => {
    // vcsim's /about answers JSON, and nothing under it.
    const url = vcsim.sdkUrl.replace(/\/sdk$/, '/about');
    const failure = await loginFailure(client({ insecureSkipTlsVerify: true }, url));
    expect(failure.message).to.match(/^read the API version: 127\.0\.0\.1:\d+ did not answer as a vSphere SDK endpoint \(HTTP \d+, [^)]+\); is \/about vCenter's SDK path \(usually \/sdk\)\?$/);
  });

  it('refuses settings that contradict each other', () => {
    expect(() => client({ caCertificate: vcsim.certificatePem, insecureSkipTlsVerify: true })).to.throw(/not more than one/);
    expect(() => client({ certificateFingerprint: 'AB:CD' })).to.throw(/SHA-256 fingerprint/);
  });
});
