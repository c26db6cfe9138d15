import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ProviderEvent } from '../../src/core/events/provider-events';
import { purgeEvents } from '../../src/server/event-retention';
import { parseSince } from '../../src/cli/commands/events-command';
import { storeEvents } from '../../src/workers/event-handler/store-events';
import { isolatedEnv } from '../support/child-env';
import { addDays, addMonths } from '../support/dates';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';

const FLEET_BIN = resolve(__dirname, '..', '..', '..', 'bin', 'fleet');
const execFileAsync = promisify(execFile);

const event = (sourceId: string, type: string, timestamp: string, emsRef: string): ProviderEvent => ({
  sourceId, type, timestamp, message: `VM ${emsRef} ${type}`, refs: [{ collection: 'vms', emsRef }],
});

describe('stored events', () => {
  let demo: DemoFixture;

  before(async () => {
    demo = await DemoFixture.start({ vms: 5, seed: 31 });
    await demo.refresh();
  });
  after(() => demo.close());

  const store = (events: ProviderEvent[]) => {
    const { dataSource } = testEnv();
    return dataSource.transaction((manager) => storeEvents(manager, {
      dataSource, providerId: demo.provider.id, type: demo.store.typeOf('demo'), events,
    }));
  };

  it('stores each source id once, links known objects and keeps the reference of unknown ones', async () => {
    const fresh = await store([
      event('s-1', 'vm.power_off', '2026-11-22T10:00:00Z', 'vm-0000001'),
      event('s-2', 'vm.create', '2026-11-22T10:00:01Z', 'vm-9999999'),
      event('s-1', 'vm.power_off', '2026-11-22T10:00:00Z', 'vm-0000001'),
    ]);
    expect(fresh.map((e) => e.sourceId)).to.deep.equal(['s-1', 's-2']);
    expect((await store([event('s-2', 'vm.create', '2026-11-22T10:00:01Z', 'vm-9999999')])).length).to.equal(0);

    const rows = await testEnv().dataSource.query(
      `SELECT e.source_id, e.refs, v.ems_ref AS linked FROM event_streams e LEFT JOIN cloud_vms v ON v.id = e.cloud_vm_id
        WHERE e.provider_id = $1 AND e.source_id IN ('s-1', 's-2') ORDER BY e.id`, [demo.provider.id]);
    expect(rows).to.deep.equal([
      { source_id: 's-1', refs: [{ collection: 'vms', emsRef: 'vm-0000001' }], linked: 'vm-0000001' },
      { source_id: 's-2', refs: [{ collection: 'vms', emsRef: 'vm-9999999' }], linked: null },
    ]);
  });

  it('lists events with `fleet events`, filtered by provider, type and time', async () => {
    await store([event('l-1', 'vm.pause', '2026-11-20T08:00:00Z', 'vm-0000002'), event('l-2', 'vm.pause', '2026-11-21T08:00:00Z', 'vm-0000003')]);
    const env = testEnv();
    const { stdout } = await execFileAsync(process.execPath, [FLEET_BIN, 'events', '--provider', demo.provider.name, '--type', 'vm.pause', '--since', '2026-11-21T00:00:00Z', '--json'], {
      env: isolatedEnv({ DATABASE_URL: env.databaseUrl, FLEET_ENCRYPTION_KEY: env.encryptionKey, REDIS_URL: env.redisUrl, LOG_LEVEL: 'error' }),
    });
    const listed = JSON.parse(stdout) as { id: string; provider: string; event_type: string; message: string; linked: boolean }[];
    expect(listed).to.deep.equal([{
      id: listed[0]?.id, provider: demo.provider.name, timestamp: '2026-11-21T08:00:00.000Z', event_type: 'vm.pause',
      message: 'VM vm-0000003 vm.pause', refs: [{ collection: 'vms', emsRef: 'vm-0000003' }], linked: true,
    }]);
  });

  it('reads --since as a time or an age, and refuses anything else', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(parseSince('90m', now).toISOString()).to.equal('2026-11-22T10:30:00.000Z');
    expect(parseSince('2d', now).toISOString()).to.equal('2026-11-20T12:00:00.000Z');
    expect(parseSince('2026-11-01', now).toISOString()).to.equal('2026-11-01T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).to.throw('--since "yesterday" must be an ISO 8601 time (2026-11-22T10:00:00Z) or an age such as 30m, 6h, 2d');
  });

  it('purges events past retention and nothing newer', async () => {
    // A day either side of the retention's boundary, which PostgreSQL computes (now() - interval '6 months').
    // The purge spans every provider: what other tests left past retention goes first, so the count is this test's.
    await purgeEvents(testEnv().dataSource, 6);
    const now = new Date();
    const monthsAgo = (months: number, days: number) => addDays(addMonths(now, -months), days).toISOString();
    await store([
      event('r-old', 'vm.update', monthsAgo(6, -1), 'vm-0000004'),
      event('r-older', 'vm.update', monthsAgo(13, 0), 'vm-0000004'),
      event('r-kept', 'vm.update', monthsAgo(6, 1), 'vm-0000004'),
    ]);
    const before: { source_id: string }[] = await testEnv().dataSource.query('SELECT source_id FROM event_streams WHERE provider_id = $1', [demo.provider.id]);
    expect(await purgeEvents(testEnv().dataSource, 6)).to.equal(2);
    const after: { source_id: string }[] = await testEnv().dataSource.query('SELECT source_id FROM event_streams WHERE provider_id = $1', [demo.provider.id]);
    expect(after.map((r) => r.source_id).sort()).to.deep.equal(before.map((r) => r.source_id).filter((id) => id !== 'r-old' && id !== 'r-older').sort());
    expect(after.map((r) => r.source_id)).to.include('r-kept');
  });
});
