import { expect } from 'chai';
import { uniqueName } from '../support/kube-fixture';
import { SignedInBrowser } from '../support/signed-in-browser';
import { testEnv } from '../support/test-env';
import { PrivateVcsim } from '../support/vcsim';

/** The add-provider form of the `vmware` type in a real browser, against a real fleet and vcsim. */
describe('vmware: the add-provider form', function () {
  this.timeout(240_000);
  let vcsim: PrivateVcsim;
  let browser: SignedInBrowser;

  before(async () => {
    vcsim = new PrivateVcsim();
    await vcsim.start();
    browser = await SignedInBrowser.open('vmware-form');
  });

  after(async () => {
    await browser?.close();
    await vcsim?.stop();
  });

  it('says a refused password is refused, then saves a vCenter pinned by its fingerprint that verifies, with the password kept out of its config', async () => {
    const { page, pageErrors } = browser;
    const name = uniqueName('vmware-form');
    await page.getByRole('link', { name: 'Add provider' }).click();
    await page.getByLabel('Provider type').selectOption('vmware');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('SDK URL', { exact: true }).fill(vcsim.sdkUrl);
    await page.getByLabel('User name', { exact: true }).fill(vcsim.username);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByLabel('Certificate SHA-256 fingerprint', { exact: true }).fill(vcsim.certificateFingerprint);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByTestId('validate-result').filter({ hasText: 'refused the user name or password' }).waitFor();

    await page.getByLabel('Password', { exact: true }).fill(vcsim.password);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByTestId('validate-result').filter({ hasText: 'Credentials valid' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/providers\/\d+$/);
    const [provider] = await testEnv().dataSource.query('SELECT config FROM providers WHERE name = $1', [name]);
    expect(provider.config).to.deep.include({ sdkUrl: vcsim.sdkUrl, certificateFingerprint: vcsim.certificateFingerprint, insecureSkipTlsVerify: false });
    expect(JSON.stringify(provider.config)).not.to.include(vcsim.password);
    expect(pageErrors).to.deep.equal([]);
  });
});
