import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderEvent } from '../../src/core/events/provider-events';
import { ApiTokenStore } from '../../src/api/api-token-store';
import { CredentialsCipher } from '../../src/crypto/credentials-cipher';
import { ProviderStore } from '../../src/providers/provider-store';
import { STOP_REASONS } from '../../src/server/worker-stop-reasons';
import { storeEvents } from '../../src/workers/event-handler/store-events';
import { WorkerRegistry } from '../../src/workers/runtime/worker-registry';
import { DemoFixture } from '../support/demo-fixture';
import { runFleet, type CliResult } from '../support/fleet-cli';
import { createScratchDatabase, testEnv } from '../support/test-env';

/** The fleet's administration commands, run as the real executable: migrate, token, workers, events purge. */
describe('fleet administration commands', function () {
  this.timeout(60_000);
  /** An empty working directory, so no fleet.config.json is picked up. */
  let cwd: string;

  before(() => {
    cwd = mkdtempSync(join(tmpdir(), 'fleet-admin-cli-'));
  });
  after(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  const fleet = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runFleet(args, { cwd, env });
  const succeeded = (result: CliResult): string => {
    expect(result.code, result.stderr).to.equal(0);
    return result.stdout;
  };

  it('migrate: applies every migration to an empty database, then has nothing left to apply', async () => {
    const database = await createScratchDatabase('fleet_cli_migrate');
    try {
      // In the order they apply: by the time in their names.
      const timeOf = (name: string): number => Number(/\d+$/.exec(name)?.[0]);
      const names = testEnv().dataSource.migrations.map((m) => m.name ?? '').sort((a, b) => timeOf(a) - timeOf(b));
      expect(succeeded(await fleet(['migrate'], { DATABASE_URL: database.url }))).to.equal(`applied ${names.join(', ')}\n`);
      expect(succeeded(await fleet(['migrate'], { DATABASE_URL: database.url }))).to.equal('schema is up to date\n');
    } finally {
      await database.drop();
    }
  });

  it('token: creates a token the API accepts, lists it without the token, and revokes it by name', async () => {
    const name = `cli-token-${process.pid}`;
    const created = JSON.parse(succeeded(await fleet(['token', 'create', name, '--json']))) as { id: string; name: string; token: string };
    expect(created.name).to.equal(name);
    // A store of its own for every check: nothing this process remembers answers for the database.
    const authenticate = () => new ApiTokenStore(testEnv().dataSource).authenticate(created.token);
    expect(await authenticate()).to.not.equal(null);

    const listed = succeeded(await fleet(['token', 'list']));
    const line = listed.split('\n').find((l) => l.includes(` ${name} `));
    expect(line, listed).to.match(new RegExp(`^│ ${created.id}\\s+│ ${name}\\s+│ \\d{4}-\\d\\d-\\d\\dT[^│]+│[^│]+│\\s+│$`));
    expect(listed).not.to.include(created.token);

    expect(succeeded(await fleet(['token', 'revoke', name]))).to.equal(`token ${name} (id ${created.id}) revoked\n`);
    expect(await authenticate()).to.equal(null);
    const revokedLine = succeeded(await fleet(['token', 'list'])).split('\n').find((l) => l.includes(` ${name} `));
    expect(revokedLine?.split('│')[5].trim()).to.match(/^\d{4}-\d\d-\d\dT/);

    const unknown = await fleet(['token', 'revoke', 'no-such-token']);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.include('no-such-token');
  });

  it('key check: passes with the key the credentials were sealed with, and names the providers another key does not open', async () => {
    const env = testEnv();
    const store = new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger });
    const made = await store.create({
      type: 'demo', name: `key-check-${process.pid}`, region: 'us-east-1',
      config: { endpoint: 'http://127.0.0.1:9' }, credentials: { accessKey: 'a', secretKey: 'b' },
    }, { verify: false });
    try {
      expect(succeeded(await fleet(['key', 'check']))).to.equal("the encryption key opens every provider's stored credentials\n");

      const otherKey = await fleet(['key', 'check'], { FLEET_ENCRYPTION_KEY: CredentialsCipher.generateKey() });
      expect(otherKey.code).to.equal(1);
      expect(otherKey.stderr).to.match(/^error: the configured encryption key does not open the stored credentials of \d+ provider\(s\) \(.*\)/);
      expect(otherKey.stderr).to.include(made.name);
      expect(otherKey.stdout).to.equal('');
    } finally {
      await store.delete(made.id);
    }
  });

  it('workers: lists live workers, and stopped ones with their stop reason with --all; restarts a running one', async () => {
    const { dataSource, logger } = testEnv();
    const registry = new WorkerRegistry(dataSource, logger);
    const live = await registry.request({ role: 'event-handler', providerId: null, queueName: 'events' });
    await registry.register(live.workerId, live.secret, { pid: 4242 });
    const stopped = await registry.request({ role: 'event-handler', providerId: null, queueName: 'events' });
    await registry.markStopped(stopped.workerId, STOP_REASONS.registrationTimeout);
    try {
      const rowOf = (output: string, id: string): string[] | undefined =>
        output.split('\n').find((l) => l.startsWith(`│ ${id} `))?.split('│').slice(1, -1).map((cell) => cell.trim());

      const shown = succeeded(await fleet(['workers']));
      expect(rowOf(shown, live.workerId)?.slice(0, 5), shown).to.deep.equal([live.workerId, 'event-handler', '', 'running', '4242']);
      expect(rowOf(shown, stopped.workerId)).to.equal(undefined);

      const all = succeeded(await fleet(['workers', '--all']));
      const row = rowOf(all, stopped.workerId);
      expect(row?.[3]).to.equal('stopped');
      expect(row?.[9]).to.equal(STOP_REASONS.registrationTimeout);

      // restart: a running worker is asked to stop (its successor is the supervisor's); anything else is refused.
      expect(succeeded(await fleet(['workers', 'restart', live.workerId]))).to.match(/^worker \d+ asked to restart/);
      expect(rowOf(succeeded(await fleet(['workers'])), live.workerId)?.[3]).to.equal('stopping');
      for (const [id, message] of [
        [stopped.workerId, `worker ${stopped.workerId} is stopped, not running: only a running worker can be asked to stop`],
        ['999999999', 'no worker 999999999'],
        ['x1', '"x1" is not a worker id'],
      ]) {
        const refused = await fleet(['workers', 'restart', id]);
        expect(refused.code, id).to.equal(1);
        expect(refused.stderr, id).to.include(message);
      }
    } finally {
      await registry.markStopped(live.workerId, 'SIGTERM');
    }
  });

  describe('events purge', () => {
    let demo: DemoFixture;

    before(async () => {
      demo = await DemoFixture.start({ vms: 3, seed: 17 });
    });
    after(() => demo.close());

    /** Stores an event of the given age, reckoned by PostgreSQL as the purge reckons it. */
    async function storeEventAged(sourceId: string, months: number): Promise<void> {
      const { dataSource } = testEnv();
      const [{ at }] = (await dataSource.query('SELECT now() - make_interval(months => $1) + interval \'1 hour\' AS at', [months])) as { at: Date }[];
      const event: ProviderEvent = { sourceId, type: 'vm.power_off', timestamp: at.toISOString(), message: `aged ${months} months`, refs: [] };
      await dataSource.transaction((manager) => storeEvents(manager, { dataSource, providerId: demo.provider.id, type: demo.store.typeOf('demo'), events: [event] }));
    }
    const kept = async (): Promise<string[]> => ((await testEnv().dataSource.query(
      'SELECT source_id FROM event_streams WHERE provider_id = $1 ORDER BY source_id', [demo.provider.id])) as { source_id: string }[]).map((r) => r.source_id);

    it('deletes events older than --older-than-months and nothing newer, and refuses less than a month', async () => {
      await storeEventAged('purge-13', 13);
      await storeEventAged('purge-7', 7);
      await storeEventAged('purge-5', 5);

      const output = succeeded(await fleet(['events', 'purge', '--older-than-months', '6']));
      expect(Number(/^(\d+) events older than 6 months purged\n$/.exec(output)?.[1])).to.be.at.least(2);
      expect(await kept()).to.deep.equal(['purge-5']);

      const refused = await fleet(['events', 'purge', '--older-than-months', '0']);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.include('--older-than-months must be at least 1');
    });

    it('takes the retention from the eventRetentionMonths setting by default', async () => {
      await storeEventAged('setting-13', 13);
      await storeEventAged('setting-11', 11);

      expect(succeeded(await fleet(['events', 'purge'], { FLEET_EVENT_RETENTION_MONTHS: '12' }))).to.match(/^\d+ events older than 12 months purged\n$/);
      expect(await kept()).to.deep.equal(['purge-5', 'setting-11']);
    });
  });
});
