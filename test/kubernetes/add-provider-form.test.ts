import { expect } from 'chai';
import { freePort } from '../support/free-port';
import { uniqueName } from '../support/kube-fixture';
import { SignedInBrowser } from '../support/signed-in-browser';
import { testEnv } from '../support/test-env';
import { testKube, type RunningKube } from '../support/test-kube';

/** The add-provider form of the `kubernetes` type in a real browser, against a real fleet and the run's API server. */
describe('kubernetes: the add-provider form', function () {
  this.timeout(240_000);
  let kube: RunningKube;
  let browser: SignedInBrowser;

  before(async () => {
    kube = await testKube();
    browser = await SignedInBrowser.open('kube-form');
  });

  after(() => browser?.close());

  it('sends the namespaces typed one a line as the list the type wants, and saves a provider that verifies', async () => {
    const { page, pageErrors } = browser;
    const name = uniqueName('kube-form');
    await page.getByRole('link', { name: 'Add provider' }).click();
    await page.getByLabel('Provider type').selectOption('kubernetes');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('API server URL', { exact: true }).fill(kube.url);
    await page.getByLabel('CA certificate (PEM)', { exact: true }).fill(kube.caPem);
    await page.getByLabel('Bearer token', { exact: true }).fill(kube.adminToken);
    await page.getByLabel('Namespaces', { exact: true }).fill('kube-system\n\n  default  \n');
    // Nothing listens there: the form only stores where the metrics would come from.
    const prometheusUrl = `http://127.0.0.1:${await freePort()}`;
    await page.getByLabel('Prometheus URL', { exact: true }).fill(prometheusUrl);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByTestId('validate-result').filter({ hasText: 'Credentials valid' }).waitFor();

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/providers\/\d+$/);
    const [provider] = await testEnv().dataSource.query('SELECT config FROM providers WHERE name = $1', [name]);
    expect(provider.config).to.deep.include({ server: kube.url, namespaces: ['kube-system', 'default'], insecureSkipTlsVerify: false, prometheusUrl });
    expect(JSON.stringify(provider.config)).not.to.include(kube.adminToken);
    expect(pageErrors).to.deep.equal([]);
  });
});
