import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import { ApiTokenStore } from '../../src/api/api-token-store';
import type { FleetOverviewView } from '../../src/api/schemas/overview-schemas';
import { CHROMIUM_LAUNCH } from '../support/chromium';
import { FleetServerProcess } from '../support/fleet-server-process';
import { snap } from '../support/screenshots';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const VM_COUNT = 50;
const PAGE_SIZE = 25;
/** The VM whose power the test changes, so the fleet catches an event about it. */
const EVENT_VM = 'vm-0000001';

/**
 * The web UI in a real browser against a real fleet: a `fleet server` process (with its workers) serving the UI and
 * the API, and a demo cloud. It signs in, adds a provider through the type's form, refreshes it and watches the
 * progress, pages and filters its VMs, opens a VM to see its events and its metrics chart, and deletes the provider.
 */
describe('web UI in a browser', function () {
  this.timeout(240_000);
  let cloud: RunningDemoCloud;
  let server: FleetServerProcess;
  let baseUrl: string;
  let token: string;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let otherProviders: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    const env = testEnv();
    cloud = await startDemoCloud({ vms: VM_COUNT, seed: 17 });
    // Other tests' providers (their clouds long gone) would get workers of their own: this fleet has only the one
    // the test adds.
    otherProviders = (await env.dataSource.query('UPDATE providers SET enabled = false WHERE enabled RETURNING id') as [{ id: string }[], number])[0].map((row) => row.id);
    token = (await new ApiTokenStore(env.dataSource).create(`browser-${process.pid}`)).token;
    server = FleetServerProcess.start({
      databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey,
      args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300'],
    });
    baseUrl = await until(() => {
      if (server.child.exitCode !== null) throw new Error(`fleet server exited early:\n${server.output()}`);
      const api = server.events('server.started')[0]?.api;
      return typeof api === 'string' ? api : undefined;
    }, 'the fleet server to listen', 60_000);

    userDataDir = await mkdtemp(join(tmpdir(), 'fleet-ui-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      ...CHROMIUM_LAUNCH, viewport: { width: 1280, height: 860 },
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await server?.stop(30_000);
    await cloud?.close();
    if (otherProviders.length > 0) await testEnv().dataSource.query('UPDATE providers SET enabled = true WHERE id = ANY($1)', [otherProviders]);
  });

  // The steps build on each other: after a failed one, the rest are skipped rather than failing for its reason.
  let failedStep: string | undefined;
  beforeEach(function () {
    if (failedStep) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    failedStep = this.currentTest.title;
    // The page as the failed step left it, for whoever looks into it.
    if (page) await snap(page, `failed-${failedStep.replace(/\W+/g, '-')}`);
  });

  it('asks for a token, refuses a wrong one and signs in with a good one', async () => {
    await page.goto(`${baseUrl}/providers`);
    await page.getByLabel('API token').fill('pft_not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('login-problem').filter({ hasText: 'not accepted' }).waitFor();
    await snap(page, '01-login');

    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Providers' }).waitFor();
  });

  it('adds a demo provider through its form: Validate and Save refuse a wrong secret, Validate accepts the right one, Save stores it', async () => {
    await page.getByRole('link', { name: 'Add provider' }).click();
    await page.getByLabel('Provider type').selectOption('demo');
    await page.getByLabel('Name', { exact: true }).fill('browser-demo');
    await page.getByLabel('Region', { exact: true }).selectOption('us-east-1');
    await page.getByLabel('API endpoint', { exact: true }).fill(cloud.url);
    await page.getByLabel('Access key', { exact: true }).fill('demo-access');
    await page.getByLabel('Secret key', { exact: true }).fill('not-the-secret');
    await page.getByRole('button', { name: 'Validate' }).click();
    const refused = page.locator('[data-testid="validate-result"][role="alert"]');
    await refused.waitFor();
    expect(await refused.textContent()).to.not.include('Credentials valid');
    await snap(page, '02-validate-refused');
    // Saving checks the credentials too, and says why it did not save.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('save-error').waitFor();
    expect(page.url()).to.match(/\/providers\/new$/);
    // Only the current verdict shows: the Validate answer before it went with the Save.
    expect(await page.getByTestId('validate-result').count(), 'the earlier Validate answer').to.equal(0);

    await page.getByLabel('Secret key', { exact: true }).fill('demo-secret');
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByTestId('validate-result').filter({ hasText: 'Credentials valid' }).waitFor();
    expect(await page.getByTestId('save-error').count(), 'the refused save\'s message').to.equal(0);
    await snap(page, '03-validate-ok');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/providers\/\d+$/);
    await page.getByRole('heading', { name: 'browser-demo' }).waitFor();
  });

  it('refreshes the provider with live progress, then lists its VMs sortable, paged and filtered', async () => {
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByTestId('refresh-progress').waitFor();
    await snap(page, '04-refresh-progress');
    await page.getByTestId('refresh-outcome').filter({ hasText: 'Refresh done' }).waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('refresh-phase').textContent()).to.match(/vms \d+/);

    await page.getByRole('tab', { name: 'VMs' }).click();
    await rowCount(page, PAGE_SIZE);
    await page.getByTestId('provider-status').filter({ hasText: 'ok' }).waitFor();
    // The tab says how many VMs there are once the worker has counted them, a moment after the refresh.
    await page.getByRole('tab', { name: `VMs (${VM_COUNT})` }).waitFor({ timeout: 10_000 });
    await snap(page, '05-provider-vms');

    // The refresh history lists the runs (the worker's startup refresh too), and the one that stored the VMs what it created.
    await page.getByRole('tab', { name: 'Refresh history' }).click();
    await page.getByTestId('refresh-run-row').filter({ hasText: `vms +${VM_COUNT}` }).getByRole('button', { name: 'Show changes' }).click();
    await page.getByTestId('run-changes').locator('tbody tr').first().waitFor();
    await snap(page, '06-refresh-history');
    await page.getByRole('tab', { name: 'VMs' }).click();
    await rowCount(page, PAGE_SIZE);

    // Sorting by name asks the API for sort=name; keyset paging walks to the second page and back.
    await page.getByRole('button', { name: 'Name', exact: true }).click();
    await page.locator('th[aria-sort="ascending"]').waitFor();
    const firstPage = await page.getByTestId('inventory-row').first().textContent();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('page 2').waitFor();
    await rowCount(page, VM_COUNT - PAGE_SIZE);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('page 1').waitFor();
    await until(async () => (await page.getByTestId('inventory-row').first().textContent()) === firstPage || undefined, 'the first page again');

    await page.getByLabel('filter field').selectOption('emsRef');
    await page.getByLabel('filter value').fill(EVENT_VM);
    await page.getByRole('button', { name: 'Filter' }).click();
    await rowCount(page, 1);
    // The pager says how long the list is.
    await page.getByTestId('pager-position').filter({ hasText: 'page 1 of 1 · 1 in all' }).waitFor();
    // Power states are coloured badges.
    expect(await page.getByTestId('inventory-row').first().getByTestId('state-badge').innerText()).to.match(/^(running|stopped|paused)$/);
  });

  it('shows a VM with its events, refreshes it alone, and shows its metrics chart', async () => {
    await page.getByTestId('inventory-row').getByRole('link').first().click();
    await page.waitForURL(/\/inventory\/cloud_vms\/\d+$/);
    await page.getByTestId('object-fields').waitFor();
    // Named as people name it, with its references shown as relations, not as bare ids.
    await page.getByRole('heading', { name: `VM ${String(cloud.state.get('vms', EVENT_VM)?.name)}` }).waitFor();
    const fieldNames = await page.getByTestId('object-fields').locator('dt').allInnerTexts();
    expect(fieldNames).to.include('Power state').and.not.to.include('Flavor ID').and.not.to.include('Provider ID');

    const powerState = cloud.state.get('vms', EVENT_VM)?.power_state === 'running' ? 'stopped' : 'running';
    const response = await fetch(`${cloud.url}/admin/vms/${EVENT_VM}/power`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: powerState }),
    });
    expect(response.status).to.equal(200);
    // The event catcher polls the cloud, the handler stores the event: the page reads its events every 5 s.
    await page.getByTestId('event-row').first().waitFor({ timeout: 90_000 });
    // The event names its VM as people do: its kind and its name, not a table and an id.
    const vmName = cloud.state.get('vms', EVENT_VM)?.name;
    expect(await page.getByTestId('event-row').first().locator('.object-link').first().innerText()).to.equal(`VM ${String(vmName)}`);
    await snap(page, '07-vm-events');

    await page.getByRole('button', { name: 'Refresh this object' }).click();
    await page.getByTestId('refresh-outcome').filter({ hasText: 'Refresh done' }).waitFor({ timeout: 60_000 });
    const runs = await (await fetch(`${baseUrl}/api/v1/providers/browser-demo/refresh-runs`, { headers: { authorization: `Bearer ${token}` } })).json() as {
      items: { source: string; targets: { collection: string; ref: string }[] }[];
    };
    expect(runs.items.filter((run) => run.source === 'user').map((run) => run.targets), 'the button refreshed the VM alone')
      .to.deep.include([{ collection: 'vms', ref: EVENT_VM }]);

    // The metrics collector's first round follows the first refresh; the panel reads again every 20 s.
    await page.getByTestId('metrics-chart').waitFor({ timeout: 150_000 });
    await page.getByTestId('metrics-chart').scrollIntoViewIfNeeded();
    // The legend names each counter by its title and unit, not its column.
    const legend = await page.getByTestId('metrics-chart').locator('.u-legend').innerText();
    expect(legend).to.include('CPU %').and.to.include('Network kB/s').and.not.to.include('cpu_usage_percent');
    await snap(page, '08-vm-metrics');
  });

  it('shows the workers and the queues, restarts a worker, and shows the event timeline', async () => {
    await page.getByRole('link', { name: 'Workers' }).click();
    await page.getByTestId('worker-row').first().waitFor();
    await page.getByRole('heading', { name: 'Queues' }).waitFor();
    await snap(page, '09-workers');

    // A shared event handler restarted from the page stops at its next heartbeat; the supervisor starts its successor.
    const handlers = async (): Promise<{ id: string; status: string; stopReason: string | null }[]> =>
      (await fetch(`${baseUrl}/api/v1/workers?role=event-handler`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{ id: string; status: string; stopReason: string | null }[]>;
    const running = (await handlers()).filter((worker) => worker.status === 'running');
    expect(running.length).to.be.greaterThan(0);
    await page.getByRole('button', { name: `restart worker ${running[0].id}` }).click();
    await until(async () => {
      const now = await handlers();
      const old = now.find((worker) => worker.id === running[0].id);
      const successors = now.filter((worker) => worker.status === 'running' && Number(worker.id) > Number(running[0].id));
      return old?.status === 'stopped' && old.stopReason === 'restart requested by an operator' && successors.length > 0 ? true : undefined;
    }, 'the restarted handler to stop and its successor to run', 60_000);
    await page.getByTestId('worker-row').filter({ hasText: 'restart requested by an operator' }).first().waitFor();

    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByTestId('event-row').first().waitFor();
    await snap(page, '10-events');

    await page.getByRole('link', { name: 'Providers' }).click();
    await page.getByTestId('provider-row').filter({ hasText: 'browser-demo' }).waitFor();
    await snap(page, '11-providers');
  });

  it('shows the fleet at a glance on the home page: totals, each provider\'s objects by state, events, workers and utilization', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.waitForURL(`${baseUrl}/`);
    const row = page.getByTestId('overview-provider').filter({ hasText: 'browser-demo' });
    await row.getByTestId('count-vms').filter({ hasText: `${VM_COUNT} VMs` }).waitFor();
    const states = await row.getByTestId('count-vms').getByTestId('state-badge').allInnerTexts();
    expect(states.length, 'the VMs by power state').to.be.greaterThan(0);
    expect(await row.getByTestId('worker-summary').innerText()).to.match(/^[1-9]\d* running/);
    expect(Number((await row.locator('td').nth(5).innerText()).replace(/\D/g, '')), 'the power change\'s event, among others').to.be.greaterThan(0);
    // The totals card counts the VMs of every provider (other tests' providers, disabled here, keep theirs).
    const overview = await (await fetch(`${baseUrl}/api/v1/overview`, { headers: { authorization: `Bearer ${token}` } })).json() as FleetOverviewView;
    const allVms = overview.totals.collections.filter((c) => c.inventory === 'cloud_vms' || c.inventory === 'infra_vms').reduce((sum, c) => sum + c.count, 0);
    expect(allVms).to.be.at.least(VM_COUNT);
    await page.getByTestId('total-collection').filter({ hasText: 'VMs' }).locator('.stat-value').filter({ hasText: new RegExp(`^${allVms.toLocaleString('en-US')}$`) }).waitFor();
    await page.getByTestId('provider-utilization').waitFor();
    await snap(page, '12-overview');
  });

  it('edits a provider (a wrong endpoint or an emptied setting is refused and changes nothing), checks its kept credentials, disables it, and deletes it once confirmed', async () => {
    const stored = async (): Promise<Response> => fetch(`${baseUrl}/api/v1/providers/browser-demo`, { headers: { authorization: `Bearer ${token}` } });
    const storedConfig = async (): Promise<Record<string, unknown>> => ((await (await stored()).json()) as { config: Record<string, unknown> }).config;
    await page.getByRole('link', { name: 'Providers' }).click();
    await page.getByTestId('provider-row').filter({ hasText: 'browser-demo' }).getByRole('link').first().click();

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit browser-demo' }).waitFor();
    expect(await page.getByLabel('API endpoint').inputValue(), 'the stored endpoint is shown').to.equal(cloud.url);
    expect(await page.getByLabel('Secret key').inputValue(), 'credentials are never shown').to.equal('');
    await page.getByLabel('API endpoint').fill('http://127.0.0.1:9');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('save-error').waitFor();
    await snap(page, '12-edit-refused');
    expect((await storedConfig()).endpoint, 'a refused edit changes nothing').to.equal(cloud.url);
    await page.getByLabel('API endpoint').fill(cloud.url);
    await page.getByLabel('Page size').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('save-error').filter({ hasText: 'config.pageSize' }).waitFor();
    await page.getByLabel('Page size').fill('20');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/providers\/\d+$/);
    expect((await storedConfig()).pageSize).to.equal(20);

    await page.getByRole('button', { name: 'Check credentials' }).click();
    await page.getByTestId('credentials-check').filter({ hasText: 'Credentials valid' }).waitFor();

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('button', { name: 'Enable' }).waitFor();
    expect(((await (await stored()).json()) as { enabled: boolean }).enabled).to.equal(false);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect((await stored()).status, 'kept when the operator changed their mind').to.equal(200);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await snap(page, '13-confirm-delete');
    await page.getByRole('button', { name: 'Delete browser-demo' }).click();
    await page.waitForURL(/\/providers$/);
    expect((await stored()).status).to.equal(404);
  });

  it('returns to the login page with a message when the API refuses the token', async () => {
    // Browser-side code as text: this file is compiled for Node, without the DOM's types.
    await page.evaluate(`window.sessionStorage.setItem('provider-fleet.api-token', 'pft_revoked-or-never-issued')`);
    await page.reload();
    await page.getByTestId('login-message').waitFor();
    await snap(page, '14-token-refused');
    expect(pageErrors).to.deep.equal([]);
  });
});

/** Waits until the inventory table shows `count` rows. */
async function rowCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction(`document.querySelectorAll('[data-testid="inventory-row"]').length === ${count}`);
}
