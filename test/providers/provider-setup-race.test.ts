import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ConflictError } from '../../src/errors';
import type { Provider } from '../../src/models';
import { ProviderStore } from '../../src/providers/provider-store';
import { providerTypes } from '../../src/providers/provider-types';
import { flakyProviderType, SetupSwitches } from '../support/flaky-provider-type';
import { SETUP_JOURNAL, type SetupProcessInput } from '../support/setup-in-own-process';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

const SETUP_PROCESS = require.resolve('../support/setup-in-own-process');

/** A process of its own asking for a provider ready, and what it has said so far. */
interface SetupProcess {
  child: ChildProcess;
  said: string[];
  go(): void;
}

function startSetupProcess(input: SetupProcessInput): SetupProcess {
  const child = spawn(process.execPath, [SETUP_PROCESS, JSON.stringify(input)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const said: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => said.push(line));
  return { child, said, go: () => child.stdin!.end('go\n') };
}

/**
 * Two processes setting up one provider at once, as two worker processes do. The rule: setup is idempotent and runs
 * for a provider in one process at a time; whoever waited finds it done and does not run it again, or runs it again
 * after the other's failure. The setups write what they did to a table, which both processes share.
 */
describe('provider lifecycle: setup in two processes at once', function () {
  this.timeout(60_000);
  let store: ProviderStore;
  let processes: SetupProcess[] = [];

  before(async () => {
    const env = testEnv();
    store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger, types: { ...providerTypes, flaky: flakyProviderType(new SetupSwitches()) } });
    await env.dataSource.query(`CREATE TABLE ${SETUP_JOURNAL} (
      id serial PRIMARY KEY, provider text NOT NULL, pid int NOT NULL,
      started_at timestamptz NOT NULL DEFAULT clock_timestamp(), ended_at timestamptz, failed boolean)`);
  });
  after(async () => {
    await testEnv().dataSource.query(`DROP TABLE ${SETUP_JOURNAL}`);
  });
  afterEach(async () => {
    for (const { child } of processes) if (child.exitCode === null) child.kill();
    processes = [];
  });

  async function addFlaky(): Promise<Provider> {
    return store.create({
      type: 'flaky', name: `flaky-${randomBytes(4).toString('hex')}`, region: 'us-east-1',
      config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'demo-access', secretKey: 'demo-secret' },
    }, { verify: false });
  }

  /** Starts processes that each load the provider; once all have it loaded (pending), they ask for it ready at once. */
  async function processesLoaded(provider: Provider, count: number, setup: { setupMs: number; failFirst?: boolean }): Promise<SetupProcess[]> {
    const env = testEnv();
    for (let i = 0; i < count; i += 1) {
      processes.push(startSetupProcess({
        databaseUrl: env.databaseUrl, encryptionKey: env.encryptionKey, providerId: provider.id, setupMs: setup.setupMs, failFirst: setup.failFirst ?? false,
      }));
    }
    await until(() => (processes.every(({ said }) => said.length > 0) ? true : undefined), 'both processes to load the provider');
    expect(processes.map(({ said }) => said[0])).to.deep.equal(processes.map(() => 'loaded pending'));
    return processes;
  }

  async function verdicts(started: SetupProcess[]): Promise<string[]> {
    await Promise.all(started.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    return started.map(({ said }) => said[1]);
  }

  const journal = async (provider: Provider): Promise<{ pid: number; failed: boolean; overlapping: boolean }[]> =>
    testEnv().dataSource.query(
      `SELECT pid, failed, EXISTS (SELECT 1 FROM ${SETUP_JOURNAL} o WHERE o.provider = j.provider AND o.id <> j.id
         AND o.started_at < j.ended_at AND j.started_at < o.ended_at) AS overlapping
       FROM ${SETUP_JOURNAL} j WHERE provider = $1 ORDER BY id`,
      [provider.name],
    );

  const setupState = async (provider: Provider): Promise<string> =>
    (await testEnv().dataSource.query('SELECT setup_state FROM providers WHERE id = $1', [provider.id]))[0].setup_state;

  it('runs setup once: the second process waits for the first and finds the provider ready', async () => {
    const provider = await addFlaky();
    const started = await processesLoaded(provider, 2, { setupMs: 500 });

    for (const setupProcess of started) setupProcess.go();

    expect(await verdicts(started)).to.deep.equal(['ready', 'ready']);
    expect(await journal(provider)).to.have.length(1);
    expect(await setupState(provider)).to.equal('ready');
  });

  it('after one process\'s setup fails, the other runs it again, never both at once', async () => {
    const provider = await addFlaky();
    const started = await processesLoaded(provider, 2, { setupMs: 500, failFirst: true });

    for (const setupProcess of started) setupProcess.go();

    const said = await verdicts(started);
    expect(said.filter((verdict) => verdict === 'ready')).to.have.length(1);
    expect(said.filter((verdict) => verdict.startsWith('failed: flaky setup of'))).to.have.length(1);
    const calls = await journal(provider);
    expect(calls.map(({ failed }) => failed)).to.deep.equal([true, false]);
    expect(new Set(calls.map(({ pid }) => pid)).size).to.equal(2);
    expect(calls.some(({ overlapping }) => overlapping)).to.equal(false);
    expect(await setupState(provider)).to.equal('ready');
  });

  it('a user\'s request waits for another process\'s setup no longer than it was given, and says why it gave up', async () => {
    const provider = await addFlaky();
    const [other] = await processesLoaded(provider, 1, { setupMs: 5_000 });
    other.go();
    await until(async () => ((await journal(provider)).length > 0 ? true : undefined), 'the other process to start its setup');

    const error = await store.ready(provider, testEnv().logger, { setupWaitMs: 200 }).then(() => expect.fail('did not wait for the setup'), (e: unknown) => e);

    expect(error).to.be.instanceOf(ConflictError);
    expect((error as Error).message).to.equal(`provider "${provider.name}" is being set up by another process; try again once that has ended`);
    expect(await verdicts([other])).to.deep.equal(['ready']);
    expect(await journal(provider)).to.have.length(1);
  });
});
