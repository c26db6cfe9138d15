import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ApiTokenStore } from '../../src/api/api-token-store';
import { CHROMIUM_LAUNCH } from '../support/chromium';
import { FleetServerProcess } from '../support/fleet-server-process';
import { freePort } from '../support/free-port';
import { uniqueName } from '../support/kube-fixture';
import { testEnv } from '../support/test-env';
import { testKube, type RunningKube } from '../support/test-kube';
import { until } from '../support/wait';


/** The add-provider form of the `kubernetes` type in a real browser, against a real fleet and the run's API server. */
describe('kubernetes: the add-provider form', function () {
  this.timeout(240_000);
  let kube: RunningKube;
  let server: FleetServerProcess;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let otherProviders: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    const env = testEnv();
    kube = await testKube();
    // Other tests' providers would get workers of their own: this fleet has only the one the test adds.
    otherProviders = (await env.dataSource.query('UPDATE providers SET enabled = false WHERE enabled RETURNING id') as [{ id: string }[], number])[0].map((row) => row.id);
    server = FleetServerProcess.start({
      databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey,
      args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300'],
    });
    const baseUrl = await until(() => {
      if (server.child.exitCode !== null) throw new Error(`fleet server exited early:\n${server.output()}`);
      const api = server.events('server.started')[0]?.api;
      return typeof api === 'string' ? api : undefined;
    }, 'the fleet server to listen', 60_000);
    userDataDir = await mkdtemp(join(tmpdir(), 'fleet-kube-form-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, CHROMIUM_LAUNCH);
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(30_000);
    const token = (await new ApiTokenStore(env.dataSource).create(`kube-form-${process.pid}`)).token;
    await page.goto(`${baseUrl}/providers`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Providers' }).waitFor();
  });

  after(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await server?.stop(30_000);
    if (otherProviders.length > 0) await testEnv().dataSource.query('UPDATE providers SET enabled = true WHERE id = ANY($1)', [otherProviders]);
  });

  it('sends the namespaces typed one a line as the list the type wants, and saves a provider that verifies', async () => {
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
