import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { FLEET_BIN } from '../support/fleet-cli';
import { freePort } from '../support/free-port';
import { processExists } from '../support/supervised-provider';
import { createScratchDatabase, testEnv } from '../support/test-env';
import { until } from '../support/wait';

const VMS = 30;

/**
 * `fleet start-demo`, what `npm start` runs, as a child process on a database of its own: it brings up the demo
 * cloud, registers the provider, runs the first refresh through its fleet, prints where the UI is and a token,
 * and stops cleanly on Ctrl-C.
 */
describe('fleet start-demo', function () {
  this.timeout(180_000);
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  let dataSource: DataSource;
  let cwd: string;
  let demo: ChildProcess | undefined;
  let output = '';

  before(async () => {
    database = await createScratchDatabase('fleet_start_demo');
    cwd = mkdtempSync(join(tmpdir(), 'fleet-start-demo-'));
  });
  after(async () => {
    if (demo && demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    if (dataSource?.isInitialized) {
      // A demo that did not stop cleanly may have left its workers behind.
      const pids: { pid: number }[] = await dataSource.query(`SELECT pid FROM workers WHERE pid IS NOT NULL AND status <> 'stopped'`);
      for (const { pid } of pids) if (processExists(pid)) process.kill(pid, 'SIGKILL');
      await dataSource.destroy();
    }
    await database?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(output);
  });

  it('brings up the cloud and a refreshed provider, prints a working token, and exits cleanly on SIGINT', async () => {
    const env = testEnv();
    const cloudPort = await freePort();
    const child = (demo = spawn(process.execPath, [FLEET_BIN, 'start-demo', '--port', String(cloudPort), '--vms', String(VMS), '--provision-ms', '200', '--scan-ms', '200'], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '', HOME: cwd, DATABASE_URL: database.url, REDIS_URL: env.redisUrl, FLEET_REDIS_PREFIX: `${env.redisPrefix}-start-demo`,
        FLEET_ENCRYPTION_KEY: env.encryptionKey, LOG_LEVEL: 'warn', FLEET_API_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }));
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

    await until(() => (output.includes('Press Ctrl-C to stop.') ? true : undefined), 'the demo to be up', 150_000);
    expect(output).to.include(`Awesome Cloud serving ${VMS} VMs at http://127.0.0.1:${cloudPort}`);
    expect(output).to.include('provider awesome-demo added');
    const apiUrl = /^Web UI and API: (http:\/\/127\.0\.0\.1:\d+) /m.exec(output)?.[1];
    const token = /^API token: +(\S+)$/m.exec(output)?.[1];
    expect(apiUrl, output).to.be.a('string');
    expect(token, output).to.be.a('string');

    // The first refresh ran through the fleet before the address was printed: the inventory is there.
    dataSource = createDataSource({ databaseUrl: database.url, poolSize: 2, applicationName: 'provider-fleet-tests' });
    await dataSource.initialize();
    const [{ vms, ok }] = await dataSource.query(`
      SELECT (SELECT count(*)::int FROM cloud_vms v WHERE v.provider_id = p.id AND v.archived_at IS NULL) AS vms,
             (SELECT count(*)::int FROM refresh_runs r WHERE r.provider_id = p.id AND r.kind = 'full' AND r.status = 'ok') AS ok
        FROM providers p WHERE p.name = 'awesome-demo'`);
    expect(vms).to.equal(VMS);
    expect(ok).to.be.at.least(1);

    // One start-up refresh, though the demo, the refresh worker and the event catcher (once its stream has started)
    // each ask for one; and it says why it ran. The catcher asks before it saves its position, so once the position
    // is there every request has been made; what they made has run once nothing runs for a while.
    await until(async () => {
      const [{ started }] = await dataSource.query(`SELECT provider_data ? 'eventPosition' AS started FROM providers WHERE name = 'awesome-demo'`);
      return started === true ? true : undefined;
    }, 'the event catcher to start its stream');
    const fullRuns = async (): Promise<{ source: string; status: string }[]> => dataSource.query(
      `SELECT r.source, r.status FROM refresh_runs r JOIN providers p ON p.id = r.provider_id WHERE p.name = 'awesome-demo' AND r.kind = 'full' ORDER BY r.id`);
    let quietSince = Date.now();
    await until(async () => {
      if ((await fullRuns()).some((run) => run.status === 'running')) quietSince = Date.now();
      return Date.now() - quietSince >= 2_000 ? true : undefined;
    }, 'the refreshes asked for at start-up to have run');
    expect(await fullRuns()).to.deep.equal([{ source: 'startup', status: 'ok' }]);

    // The printed token opens the API; no token does not.
    const providers = await fetch(`${apiUrl}/api/v1/providers`, { headers: { authorization: `Bearer ${token}` } });
    expect(providers.status).to.equal(200);
    expect(((await providers.json()) as { name: string }[]).map((p) => p.name)).to.deep.equal(['awesome-demo']);
    expect((await fetch(`${apiUrl}/api/v1/providers`)).status).to.equal(401);

    const workers: { pid: number }[] = await dataSource.query(`SELECT pid FROM workers WHERE status = 'running'`);
    expect(workers).to.have.length.greaterThan(0);
    child.kill('SIGINT');
    expect(await exited).to.deep.equal({ code: 0, signal: null });
    // It stopped its workers on the way out.
    expect(await dataSource.query(`SELECT id, role, status FROM workers WHERE status <> 'stopped'`)).to.deep.equal([]);
    for (const { pid } of workers) expect(processExists(pid), `worker process ${pid}`).to.equal(false);
    expect(output).not.to.match(/error/i);
  });
});
