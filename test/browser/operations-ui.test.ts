import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Stoppable } from '../../src/core/lifecycle/stoppable';
import { OperationsQueue } from '../../src/queues/operations-queue';
import { startOperationsWorker } from '../../src/workers/operations/operations-worker';
import { ApiFixture } from '../support/api-fixture';
import { DemoFixture } from '../support/demo-fixture';
import { SignedInBrowser } from '../support/signed-in-browser';
import { snap } from '../support/screenshots';
import { testEnv } from '../support/test-env';

/** The built web UI, next to the compiled tests. */
const UI_DIRECTORY = join(__dirname, '..', '..', 'ui');
/** Where the pages are saved as pictures, for whoever looks at them or into a failure (as the UI test does). */

/**
 * Operations from the web UI in a real browser: the API (serving the UI) and the demo provider's operations worker
 * run in the test's process against the run's PostgreSQL and Redis and a demo cloud; the refresh that shows an
 * operation's outcome in the inventory is the test's own.
 */
describe('web UI: operations on an object and the Tasks page', function () {
  this.timeout(180_000);
  let api: ApiFixture;
  let demo: DemoFixture;
  let queue: OperationsQueue;
  let worker: Stoppable;
  let browser: SignedInBrowser;
  let baseUrl: string;
  /** The paths of the operation requests the page sent. */
  const askedFor: string[] = [];

  before(async () => {
    const env = testEnv();
    api = await ApiFixture.start({ uiDirectory: UI_DIRECTORY });
    baseUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
    demo = await DemoFixture.start({ vms: 12, seed: 23 });
    expect((await demo.refresh()).status).to.equal('ok');
    queue = new OperationsQueue({ connection: env.redis, prefix: env.redisPrefix });
    worker = await startOperationsWorker({
      dataSource: env.dataSource, store: demo.store, refreshQueue: api.refreshQueue, logger: env.logger, providerId: demo.provider.id, queue,
      connection: { url: env.redisUrl, maxRetriesPerRequest: null }, prefix: env.redisPrefix,
    });
    browser = await SignedInBrowser.at(baseUrl, 'operations-ui');
    browser.page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/operations/')) askedFor.push(new URL(request.url()).pathname);
    });
  });

  after(async () => {
    await browser?.close();
    await worker?.stop({ force: true });
    await queue?.close();
    await api?.close();
    await demo?.close();
  });

  afterEach(async function () {
    // The page as a failed test left it, for whoever looks into it.
    if (this.currentTest?.state === 'failed' && browser) await snap(browser.page, `operations-failed-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  /** The tasks of the test's provider, newest first. */
  async function storedTasks(): Promise<{ id: string; operation: string; state: string; requestedBy: string }[]> {
    return testEnv().dataSource.query(
      'SELECT id::text, operation, state, requested_by AS "requestedBy" FROM tasks WHERE provider_id = $1 ORDER BY id DESC', [demo.provider.id],
    );
  }

  /** A stored VM of the demo provider, by SQL condition. */
  async function storedVm(where: string): Promise<{ id: string; ref: string; name: string }> {
    const [row] = await demo.rows('cloud_vms', where);
    if (!row) throw new Error(`no stored VM where ${where}`);
    return { id: String(row.id), ref: String(row.ems_ref), name: String(row.name) };
  }

  async function openVm(page: Page, vm: { id: string; name: string }): Promise<void> {
    await page.goto(`${baseUrl}/inventory/cloud_vms/${vm.id}`);
    await page.getByRole('heading', { name: `VM ${vm.name}` }).waitFor();
  }

  it('stops a running VM once confirmed (dismissing the question asks nothing), follows its task to succeeded and shows the new state', async () => {
    const { page, pageErrors } = browser;
    const vm = await storedVm(`power_state = 'running'`);
    await openVm(page, vm);
    const operations = page.getByRole('region', { name: 'operations' });
    // The buttons come with the provider's type, read after the object.
    await operations.getByRole('button', { name: 'Stop', exact: true }).waitFor();
    expect(await operations.getByRole('button').allInnerTexts(), 'one button per operation of the type on VMs, by title')
      .to.deep.equal(['Start', 'Stop', 'Restart', 'Resize', 'Delete']);

    await operations.getByRole('button', { name: 'Stop', exact: true }).click();
    const question = page.getByRole('alertdialog', { name: 'confirm stop' });
    expect(await question.innerText()).to.include(`Stop VM ${vm.name}?`);
    await snap(page, 'operations-01-confirm');
    await question.getByRole('button', { name: 'Don\'t stop' }).click();
    await question.waitFor({ state: 'detached' });
    expect(askedFor, 'dismissed: no request').to.deep.equal([]);
    expect(await storedTasks(), 'dismissed: no task').to.deep.equal([]);
    expect(await page.getByTestId('task-progress').count()).to.equal(0);

    await operations.getByRole('button', { name: 'Stop', exact: true }).click();
    await question.getByRole('button', { name: `Stop VM ${vm.name}` }).click();
    const progress = page.getByTestId('task-progress');
    await progress.getByTestId('task-state').filter({ hasText: /^succeeded$/ }).waitFor({ timeout: 60_000 });
    expect(askedFor).to.deep.equal([`/api/v1/inventory/cloud_vms/${vm.id}/operations/vm.stop`]);
    const [task] = await storedTasks();
    expect(task).to.include({ operation: 'vm.stop', state: 'succeeded' });
    expect(await progress.innerText()).to.include(`task ${task.id}`);
    expect(await progress.getByTestId('task-outcome').innerText()).to.include('powerState: stopped');
    expect(demo.cloud.state.get('vms', vm.ref)?.power_state, 'stopped at the cloud').to.equal('stopped');

    // The fleet's refresh of the object would come next; here the test refreshes, and the page then reads the VM again.
    await progress.getByTestId('task-inventory').filter({ hasText: 'Waiting for the inventory' }).waitFor();
    expect((await demo.refresh()).status).to.equal('ok');
    await progress.getByTestId('task-inventory').filter({ hasText: 'The inventory shows the new state at' }).waitFor({ timeout: 30_000 });
    const powerState = page.getByTestId('object-fields').locator('div').filter({ has: page.locator('dt', { hasText: /^Power state$/ }) }).locator('dd');
    await powerState.filter({ hasText: /^stopped$/ }).waitFor();
    await snap(page, 'operations-02-succeeded');
    expect(pageErrors).to.deep.equal([]);
  });

  it('resizes a VM through the operation\'s form: a refused request (a disabled provider) is told and keeps what was typed', async () => {
    const { page, pageErrors } = browser;
    const vm = await storedVm(`power_state = 'running'`);
    const current = demo.cloud.state.get('vms', vm.ref)?.flavor_id;
    const flavor = demo.cloud.state.list('flavors').find((candidate) => candidate.id !== current)?.id;
    if (!flavor) throw new Error('the demo cloud has no other flavor');
    await demo.store.updateSettings(demo.provider.id, { enabled: false });
    const asked = askedFor.length;
    try {
      await openVm(page, vm);
      await page.getByRole('region', { name: 'operations' }).getByRole('button', { name: 'Resize', exact: true }).click();
      const form = page.getByRole('form', { name: `Resize VM ${vm.name}` });
      // Required by the operation's schema: the form says so before anything is sent.
      await form.getByRole('button', { name: 'Resize' }).click();
      await form.locator('.field-error').waitFor();
      expect(askedFor.length, 'an incomplete form sends nothing').to.equal(asked);

      await form.getByLabel('Flavor ID').fill(flavor);
      await form.getByRole('button', { name: 'Resize' }).click();
      await page.getByTestId('error-banner').filter({ hasText: `Resize was not queued: provider "${demo.provider.name}" is disabled` }).waitFor();
      expect(await form.getByLabel('Flavor ID').inputValue(), 'what was typed stays').to.equal(flavor);
      expect(await page.getByTestId('task-progress').count()).to.equal(0);
      await snap(page, 'operations-03-refused');
    } finally {
      await demo.store.updateSettings(demo.provider.id, { enabled: true });
    }

    await page.getByRole('form', { name: `Resize VM ${vm.name}` }).getByRole('button', { name: 'Resize' }).click();
    const progress = page.getByTestId('task-progress');
    await progress.getByTestId('task-state').filter({ hasText: /^succeeded$/ }).waitFor({ timeout: 60_000 });
    expect(await progress.getByTestId('task-outcome').innerText()).to.include(`flavorId: ${flavor}`);
    expect(await page.getByTestId('error-banner').count(), 'the refusal went with the request that succeeded').to.equal(0);
    expect(demo.cloud.state.get('vms', vm.ref)?.flavor_id).to.equal(flavor);
    expect(pageErrors).to.deep.equal([]);
  });

  it('lists the task on the Tasks page, newest first, with a link to its object, and filters by state and provider', async () => {
    const { page, pageErrors } = browser;
    const stored = await storedTasks();
    const task = stored.find((candidate) => candidate.operation === 'vm.stop');
    if (!task) throw new Error('no task to list: the first test asked for none');
    const vm = await storedVm(`id = (SELECT object_id FROM tasks WHERE id = ${Number(task.id)})`);
    await page.getByRole('navigation', { name: 'sections' }).getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await page.getByLabel('provider').selectOption({ label: demo.provider.name });
    const row = page.getByTestId('task-row').filter({ has: page.locator('td', { hasText: new RegExp(`^${task.id}$`) }) });
    await row.waitFor();
    // The provider's tasks alone, newest first.
    await page.waitForFunction(`document.querySelectorAll('[data-testid="task-row"]').length === ${stored.length}`);
    expect(await page.getByTestId('task-row').locator('td:first-child').allInnerTexts()).to.deep.equal(stored.map((candidate) => candidate.id));
    const cells = await row.locator('td').allInnerTexts();
    expect(cells.slice(0, 6)).to.deep.equal([task.id, 'vm.stop', `VM ${vm.ref}`, demo.provider.name, task.requestedBy, 'succeeded']);
    expect(task.requestedBy, 'the token that asked').to.match(/^operations-ui-/);
    expect(cells[8]).to.include('powerState: stopped');
    await snap(page, 'operations-04-tasks');
    expect(await row.getByRole('button', { name: `cancel task ${task.id}` }).count(), 'no Cancel once it ended').to.equal(0);

    await page.getByLabel('task state').selectOption('failed');
    await page.getByText('No tasks match.').waitFor();
    await page.getByLabel('task state').selectOption('succeeded');
    await row.waitFor();

    await row.getByRole('link', { name: `VM ${vm.ref}` }).click();
    await page.waitForURL(`${baseUrl}/inventory/cloud_vms/${vm.id}`);
    await page.getByRole('heading', { name: `VM ${vm.name}` }).waitFor();
    expect(pageErrors).to.deep.equal([]);
  });

  it('cancels a task while it waits, from the object page and from the Tasks page (with no worker to take it)', async () => {
    const { page, pageErrors } = browser;
    await worker.stop({ force: true });
    const vm = await storedVm(`power_state = 'stopped'`);
    const stateOf = async (id: string): Promise<string | undefined> => (await storedTasks()).find((task) => task.id === id)?.state;

    await openVm(page, vm);
    // Start is not destructive: asked at once.
    await page.getByRole('region', { name: 'operations' }).getByRole('button', { name: 'Start', exact: true }).click();
    const progress = page.getByTestId('task-progress');
    await progress.getByTestId('task-state').filter({ hasText: /^queued$/ }).waitFor();
    const [fromObjectPage] = await storedTasks();
    expect(fromObjectPage).to.include({ operation: 'vm.start', state: 'queued' });
    await progress.getByRole('button', { name: `cancel task ${fromObjectPage.id}` }).click();
    await progress.getByTestId('task-state').filter({ hasText: /^cancelled$/ }).waitFor();
    await progress.getByTestId('task-outcome').filter({ hasText: 'Cancelled before it started' }).waitFor();
    expect(await progress.getByRole('button', { name: /^cancel task/ }).count(), 'no Cancel once cancelled').to.equal(0);
    expect(await stateOf(fromObjectPage.id)).to.equal('cancelled');

    await page.getByRole('region', { name: 'operations' }).getByRole('button', { name: 'Start', exact: true }).click();
    await progress.getByTestId('task-state').filter({ hasText: /^queued$/ }).waitFor();
    const [fromTasksPage] = await storedTasks();
    expect(fromTasksPage.id).not.to.equal(fromObjectPage.id);
    await page.getByRole('navigation', { name: 'sections' }).getByRole('link', { name: 'Tasks' }).click();
    await page.getByLabel('provider').selectOption({ label: demo.provider.name });
    await page.getByLabel('task state').selectOption('queued');
    const row = page.getByTestId('task-row').filter({ has: page.locator('td', { hasText: new RegExp(`^${fromTasksPage.id}$`) }) });
    await row.getByRole('button', { name: `cancel task ${fromTasksPage.id}` }).click();
    await page.getByText('No tasks match.').waitFor();
    expect(await stateOf(fromTasksPage.id)).to.equal('cancelled');
    expect(pageErrors).to.deep.equal([]);
  });
});
