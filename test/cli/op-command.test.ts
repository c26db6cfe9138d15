import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Task } from '../../src/models';
import { runFleet, type CliResult } from '../support/fleet-cli';
import { FleetUnderTest } from '../support/fleet-under-test';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** `fleet op` and `fleet tasks` against a running fleet (a real server and its workers) on the run's services. */
describe('fleet op and fleet tasks', function () {
  this.timeout(120_000);
  let fleet: FleetUnderTest;
  let cwd: string;

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'fleet-op-'));
    fleet = await FleetUnderTest.start({ postgres: 'shared', redis: 'shared', vms: 12, seed: 31 });
    await until(async () => ((await fleet.runs()).some((run) => run.kind === 'full' && run.status === 'ok') ? true : undefined), 'the first full refresh', 90_000);
  });
  after(async () => {
    await fleet?.teardown.run();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** `fleet op` (or another command, `fleet tasks`) of the fleet's provider. */
  const op = (args: string[]): Promise<CliResult> => {
    const { redisUrl, redisPrefix } = testEnv();
    return runFleet(args[0] === 'op' && !args.includes('--provider') ? [...args, '--provider', fleet.providerId] : args, { cwd, env: { REDIS_URL: redisUrl, FLEET_REDIS_PREFIX: redisPrefix } });
  };

  async function storedVm(where: string): Promise<{ name: string; ref: string }> {
    const [vm]: { name: string; ref: string }[] = await fleet.dataSource.query(
      `SELECT name, ems_ref AS ref FROM cloud_vms WHERE provider_id = $1 AND ${where} ORDER BY id LIMIT 1`, [fleet.providerId],
    );
    if (!vm) throw new Error(`no stored VM where ${where}`);
    return vm;
  }

  it('stops a VM named as the operator knows it, follows the task to its end, and says when the inventory showed it', async () => {
    const vm = await storedVm(`power_state = 'running'`);
    const result = await op(['op', `cloud_vms/${vm.name}`, 'vm.stop', '--wait', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const task = JSON.parse(result.stdout) as Task & { inventoryShownAt: string | null };
    expect(task).to.include({ state: 'succeeded', operation: 'vm.stop', objectRef: vm.ref, requestedBy: 'cli' });
    expect(task.inventoryShownAt, 'the inventory showed the new state').to.be.a('string');
    expect(fleet.demo.cloud.state.get('vms', vm.ref)?.power_state).to.equal('stopped');
    const [stored] = await fleet.dataSource.query('SELECT power_state FROM cloud_vms WHERE provider_id = $1 AND ems_ref = $2', [fleet.providerId, vm.ref]);
    expect(stored.power_state).to.equal('stopped');

    const listed = await op(['tasks', '--provider', fleet.providerId]);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.match(new RegExp(`${task.id}\\s.*vm\\.stop\\s.*cloud_vms/\\d+\\s.*cli\\s.*succeeded`));
  });

  it('refuses bad input with a clear message, and makes no task of it', async () => {
    const vm = await storedVm('true');
    const [{ before }] = await fleet.dataSource.query('SELECT count(*)::int AS before FROM tasks WHERE provider_id = $1', [fleet.providerId]);
    const cases: [string[], RegExp][] = [
      [['op', `cloud_vms/${vm.ref}`, 'vm.fly'], /^error: no operation "vm\.fly" on cloud_vms of provider type "demo" \(its operations there: vm\.start, vm\.stop/],
      [['op', `cloud_vms/${vm.ref}`, 'vm.resize'], /^error: --param\.flavorId: is required/],
      [['op', `cloud_vms/${vm.ref}`, 'vm.stop', '--param', 'force=true'], /^error: --param\.force: is not a known setting/],
      [['op', `cloud_vms/${vm.ref}`, 'vm.resize', '--param', 'flavorId'], /^error: parameter "flavorId" must be name=value/],
      [['op', 'cloud_vms/no-such-vm', 'vm.stop'], /^error: no cloud_vms object with the id, reference or name "no-such-vm"/],
      [['op', 'no_such_table/1', 'vm.stop'], /^error: no inventory collection "no_such_table"/],
      [['op', 'cloud_vms', 'vm.stop'], /^error: object "cloud_vms" must be collection\/object/],
      [['op', `cloud_vms/${vm.ref}`, 'vm.stop', '--provider', 'no-such-provider'], /^error: no provider "no-such-provider"/],
    ];
    // Each is a process start: run together.
    const results = await Promise.all(cases.map(([args]) => op(args)));
    results.forEach((result, i) => {
      const [args, message] = cases[i];
      expect(result.code, args.join(' ')).to.equal(1);
      expect(result.stderr.trim(), args.join(' ')).to.match(message);
    });
    const [{ after }] = await fleet.dataSource.query('SELECT count(*)::int AS after FROM tasks WHERE provider_id = $1', [fleet.providerId]);
    expect(after).to.equal(before);
  });
});
