import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ApiTokenStore } from '../../src/api/api-token-store';
import { CHROMIUM_LAUNCH } from './chromium';
import { FleetServerProcess } from './fleet-server-process';
import { testEnv } from './test-env';
import { until } from './wait';

/**
 * The UI open in Chromium, signed in with a new API token, on the providers page: of a real fleet server of the run's
 * database (open), or of a server the test runs itself (at). For a fleet server, other tests' providers are disabled
 * meanwhile (they would get workers of their own) and enabled again by close(). `pageErrors` collects the page's
 * uncaught errors.
 */
export class SignedInBrowser {
  readonly pageErrors: string[] = [];

  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly server: FleetServerProcess | undefined,
    private readonly userDataDir: string,
    private readonly disabled: string[],
  ) {}

  static async open(name: string): Promise<SignedInBrowser> {
    const env = testEnv();
    const disabled = (await env.dataSource.query('UPDATE providers SET enabled = false WHERE enabled RETURNING id') as [{ id: string }[], number])[0].map((row) => row.id);
    const server = FleetServerProcess.start({
      databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, redisPrefix: env.redisPrefix, encryptionKey: env.encryptionKey,
      args: ['--provision-ms', '200', '--scan-ms', '200', '--leader-retry-ms', '300'],
    });
    const baseUrl = await until(() => {
      if (server.child.exitCode !== null) throw new Error(`fleet server exited early:\n${server.output()}`);
      const api = server.events('server.started')[0]?.api;
      return typeof api === 'string' ? api : undefined;
    }, 'the fleet server to listen', 60_000);
    return SignedInBrowser.signIn(name, baseUrl, server, disabled);
  }

  /** The UI served at `baseUrl` by a server the test runs and stops itself (the API in the test's process, say). */
  static at(baseUrl: string, name: string): Promise<SignedInBrowser> {
    return SignedInBrowser.signIn(name, baseUrl, undefined, []);
  }

  private static async signIn(name: string, baseUrl: string, server: FleetServerProcess | undefined, disabled: string[]): Promise<SignedInBrowser> {
    const env = testEnv();
    const userDataDir = await mkdtemp(join(tmpdir(), `fleet-${name}-chromium-`));
    const context = await chromium.launchPersistentContext(userDataDir, CHROMIUM_LAUNCH);
    const page = context.pages()[0] ?? await context.newPage();
    const browser = new SignedInBrowser(page, context, server, userDataDir, disabled);
    page.on('pageerror', (error) => browser.pageErrors.push(error.message));
    page.setDefaultTimeout(30_000);
    const token = (await new ApiTokenStore(env.dataSource).create(`${name}-${process.pid}`)).token;
    await page.goto(`${baseUrl}/providers`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Providers' }).waitFor();
    return browser;
  }

  async close(): Promise<void> {
    await this.context.close();
    await rm(this.userDataDir, { recursive: true, force: true });
    await this.server?.stop(30_000);
    if (this.disabled.length > 0) await testEnv().dataSource.query('UPDATE providers SET enabled = true WHERE id = ANY($1)', [this.disabled]);
  }
}
