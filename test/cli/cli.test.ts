import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDemoCloud, type RunningDemoCloud } from '../../src/demo-cloud';
import { ProviderStore } from '../../src/providers/provider-store';
import type { RefreshOutcome } from '../../src/core/refresh/refresh-outcome';
import { FLEET_BIN, runFleet, type CliResult } from '../support/fleet-cli';
import { testEnv } from '../support/test-env';

const SECRET_KEY = 'Cli-S3cret-never-printed';

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('fleet CLI', () => {
  let cloud: RunningDemoCloud;
  /** An empty working directory, so no fleet.config.json is picked up; settings come from the environment only. */
  let cwd: string;
  /** A provider registered in-process before the commands run, so most tests do not depend on `provider add`. */
  const registered = unique('cli-registered');
  const names = { added: unique('cli-added'), refused: unique('cli-refused'), incomplete: unique('cli-incomplete'), invalid: unique('cli-invalid') };
  /**
   * Commands that do not depend on each other, started together in `before` because every run of the CLI costs
   * a process start; each test awaits the one it is about.
   */
  let independent: Record<'added' | 'refused' | 'incomplete' | 'invalid' | 'badDatabaseUrl' | 'list' | 'show' | 'showBlock', Promise<CliResult>>;

  const fleet = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runFleet(args, { cwd, env });

  function addArgs(providerName: string, overrides: { secretKey?: string; endpoint?: string } = {}): string[] {
    return [
      'provider', 'add', '--type', 'demo', '--name', providerName, '--region', 'us-east-1',
      '--config', `endpoint=${overrides.endpoint ?? cloud.url}`, '--config', 'pageSize=7',
      '--credential', 'accessKey=demo-access', '--credential', `secretKey=${overrides.secretKey ?? SECRET_KEY}`,
    ];
  }

  async function providerCount(providerName: string): Promise<number> {
    const [{ count }] = await testEnv().dataSource.query('SELECT count(*)::int AS count FROM providers WHERE name = $1', [providerName]);
    return count;
  }

  function parseOutcome(result: CliResult): RefreshOutcome {
    expect(result.code, result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as RefreshOutcome;
  }

  before(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
    cloud = await startDemoCloud({ port: 0, vms: 15, seed: 5, secretKey: SECRET_KEY });
    const env = testEnv();
    // Sealed with the key the CLI is given, so the CLI can open the credentials.
    await new ProviderStore({ dataSource: env.dataSource, cipher: env.cipher, logger: env.logger }).create({
      type: 'demo', name: registered, region: 'us-east-1', config: { endpoint: cloud.url, pageSize: 7 },
      credentials: { accessKey: 'demo-access', secretKey: SECRET_KEY },
    });
    independent = {
      added: fleet(addArgs(names.added)),
      refused: fleet(addArgs(names.refused, { secretKey: 'not-the-secret' })),
      incomplete: fleet([
        'provider', 'add', '--type', 'demo', '--name', names.incomplete, '--region', 'us-east-1',
        '--credential', 'accessKey=demo-access', '--credential', `secretKey=${SECRET_KEY}`,
      ]),
      invalid: fleet(addArgs(names.invalid, { endpoint: 'not-a-url' })),
      badDatabaseUrl: fleet(['provider', 'list'], { DATABASE_URL: 'mysql://x' }),
      list: fleet(['provider', 'list']),
      show: fleet(['provider', 'show', registered, '--json']),
      showBlock: fleet(['provider', 'show', registered]),
    };
  });
  after(async () => {
    await Promise.allSettled(Object.values(independent ?? {}));
    await cloud.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  describe('provider add', () => {
    it('adds a provider with --config settings whose credentials the cloud accepts', async () => {
      const result = await independent.added;

      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.match(new RegExp(`^provider ${names.added} added with id \\d+\\n$`));
      expect(result.stdout + result.stderr).not.to.include(SECRET_KEY);
      const [row] = await testEnv().dataSource.query('SELECT type, region, config FROM providers WHERE name = $1', [names.added]);
      expect(row).to.deep.equal({ type: 'demo', region: 'us-east-1', config: { endpoint: cloud.url, pageSize: 7, timeoutSeconds: 30 } });
    });

    it('refuses a wrong secret key with "invalid credentials" and exit code 1, storing nothing', async () => {
      const result = await independent.refused;

      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal('error: invalid credentials\n');
      expect(await providerCount(names.refused)).to.equal(0);
    });

    it('names a required config setting that is missing', async () => {
      const result = await independent.incomplete;

      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal('error: config.endpoint: is required\n');
      expect(await providerCount(names.incomplete)).to.equal(0);
    });

    it('names the config setting that is wrong', async () => {
      const result = await independent.invalid;

      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^error: config\.endpoint: /);
      expect(await providerCount(names.invalid)).to.equal(0);
    });
  });

  describe('with a registered provider', () => {
    it('lists it', async () => {
      const result = await independent.list;

      expect(result.code, result.stderr).to.equal(0);
      const line = result.stdout.split('\n').find((l) => l.includes(` ${registered} `));
      expect(line, result.stdout).to.be.a('string');
      expect(line).to.include(' demo ').and.to.include(' us-east-1 ');
    });

    it('shows it as JSON, with its config and without its credentials', async () => {
      const result = await independent.show;

      expect(result.code, result.stderr).to.equal(0);
      const shown = JSON.parse(result.stdout);
      expect(shown).to.include({ name: registered, type: 'demo', region: 'us-east-1', enabled: true });
      expect(shown.config).to.deep.equal({ endpoint: cloud.url, pageSize: 7, timeoutSeconds: 30 });
      expect(result.stdout).not.to.include(SECRET_KEY);
      expect(result.stdout).not.to.include('demo-access');
    });

    it('shows it as a readable block, with its settings and without its credentials', async () => {
      const result = await independent.showBlock;

      expect(result.code, result.stderr).to.equal(0);
      // A label, the padding that aligns the values, the value.
      const lines = result.stdout.trimEnd().split('\n').map((line) => line.replace(/ {2,}/, ' | '));
      expect(lines[0]).to.match(new RegExp(`^provider \\| ${registered} \\(id \\d+\\)$`));
      expect(lines).to.include.members([
        'type | demo, region us-east-1, zone default', 'served | yes', 'last refresh | never', `config endpoint | ${cloud.url}`, 'config pageSize | 7',
      ]);
      expect(result.stdout).not.to.include(SECRET_KEY);
      expect(result.stdout).not.to.include('demo-access');
    });

    it('refreshes it fully, creating exactly what the cloud holds', async () => {
      const state = (await (await fetch(new URL('/admin/state', cloud.url))).json()) as { counts: Record<string, number> };
      const outcome = parseOutcome(await fleet(['refresh', registered, '--json']));

      expect(outcome).to.include({ status: 'ok', scope: 'full', error: null });
      const created = Object.fromEntries(Object.entries(outcome.stats.collections).map(([collection, counts]) => [collection, counts.created]));
      expect(created).to.include({
        availabilityZones: state.counts.zones, flavors: state.counts.flavors, images: state.counts.images,
        securityGroups: state.counts.security_groups, hosts: state.counts.hosts, vms: state.counts.vms, volumes: state.counts.volumes,
      });
      expect(state.counts.vms).to.equal(15);
    });

    it('refreshes only the targeted VM', async () => {
      const [{ ems_ref: vmRef }] = await testEnv().dataSource.query(
        `SELECT v.ems_ref FROM cloud_vms v JOIN providers p ON p.id = v.provider_id WHERE p.name = $1 ORDER BY v.ems_ref LIMIT 1`, [registered],
      );
      const power = await fetch(new URL(`/admin/vms/${vmRef}/power`, cloud.url), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'paused' }),
      });
      expect(power.ok).to.equal(true);

      const outcome = parseOutcome(await fleet(['refresh', registered, '--target', `vms:${vmRef}`, '--json']));

      expect(outcome).to.include({ status: 'ok', scope: 'targeted' });
      const vms = outcome.stats.collections.vms;
      expect(vms.created + vms.updated + vms.unchanged + vms.deleted).to.equal(1);
      expect(vms.updated).to.equal(1);
      const [{ power_state: powerState }] = await testEnv().dataSource.query(
        `SELECT v.power_state FROM cloud_vms v JOIN providers p ON p.id = v.provider_id WHERE p.name = $1 AND v.ems_ref = $2`, [registered, vmRef],
      );
      expect(powerState).to.equal('paused');
    });

    it('logs human lines with --log-format pretty, and JSON lines when not on a terminal', async () => {
      const [{ ems_ref: vmRef }] = await testEnv().dataSource.query(
        `SELECT v.ems_ref FROM cloud_vms v JOIN providers p ON p.id = v.provider_id WHERE p.name = $1 ORDER BY v.id LIMIT 1`, [registered]);
      const refresh = ['refresh', registered, '--target', `vms:${vmRef}`, '--json'];
      const logLines = (result: CliResult): string[] => result.stderr.split('\n').filter((line) => line !== '');

      const pretty = await fleet(['--log-format', 'pretty', ...refresh], { LOG_LEVEL: 'info' });
      expect(pretty.code, pretty.stderr).to.equal(0);
      expect(logLines(pretty).filter((line) => line.startsWith('{'))).to.deep.equal([]);
      expect(logLines(pretty).some((line) => / INFO.*: refresh finished/.test(line)), pretty.stderr).to.equal(true);

      const json = await fleet(refresh, { LOG_LEVEL: 'info' });
      expect(json.code, json.stderr).to.equal(0);
      const parsed = logLines(json).map((line) => JSON.parse(line) as { msg?: string });
      expect(parsed.map((line) => line.msg)).to.include('refresh finished');
    });

    it('refuses a target in an unknown collection, naming it, with exit code 1', async () => {
      const result = await fleet(['refresh', registered, '--target', 'nope:1', '--json']);

      expect(result.code).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.match(/^error: unknown target collection "nope" \(known: provider, availabilityZones, /);
    });

    it('sets its refresh interval and whether it is served, and refuses a bad interval', async () => {
      const shown = async () => JSON.parse((await fleet(['provider', 'show', registered, '--json'])).stdout) as { enabled: boolean; refreshIntervalMinutes: number | null };
      const set = await fleet(['provider', 'set', registered, '--refresh-interval', '90', '--disable']);
      expect(set.code, set.stderr).to.equal(0);
      expect(set.stdout).to.equal(`provider ${registered}: disabled, refresh interval 90 min\n`);
      expect(await shown()).to.include({ enabled: false, refreshIntervalMinutes: 90 });

      const bad = await fleet(['provider', 'set', registered, '--refresh-interval', 'hourly']);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.equal('error: refresh interval "hourly" must be whole minutes (0: none) or "default"\n');
      const reset = await fleet(['provider', 'set', registered, '--refresh-interval', 'default', '--enable']);
      expect(reset.stdout, reset.stderr).to.equal(`provider ${registered}: enabled, refresh interval of its type\n`);
      expect(await shown()).to.include({ enabled: true, refreshIntervalMinutes: null });
    });

    it('deletes it only when told --yes, without a terminal to ask on', async () => {
      await Promise.allSettled(Object.values(independent)); // nothing else may still be reading it
      const refused = await fleet(['provider', 'delete', registered]);
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.equal(`error: provider ${registered} not deleted: pass --yes to delete without a terminal to ask on\n`);
      expect(await providerCount(registered)).to.equal(1);
    });

    it('deletes it with its inventory', async () => {
      const [{ id }] = await testEnv().dataSource.query('SELECT id FROM providers WHERE name = $1', [registered]);
      const result = await fleet(['provider', 'delete', registered, '--yes']);

      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal(`provider ${registered} (id ${id}) deleted\n`);
      expect(await providerCount(registered)).to.equal(0);
      const [{ count }] = await testEnv().dataSource.query('SELECT count(*)::int AS count FROM cloud_vms WHERE provider_id = $1', [id]);
      expect(count).to.equal(0);
    });

    it('then reports it as unknown, with exit code 1', async () => {
      const result = await fleet(['provider', 'show', registered]);

      expect(result.code).to.equal(1);
      expect(result.stderr).to.equal(`error: no provider "${registered}"\n`);
    });
  });

  it('prints its version with --version, as its package names it', async () => {
    const result = await fleet(['--version']);
    const manifest = JSON.parse(readFileSync(resolve(FLEET_BIN, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal(`${manifest.version}\n`);
  });

  describe('with a bad configuration', () => {
    it('exits with code 2 and names DATABASE_URL when it is not a PostgreSQL URL', async () => {
      const result = await independent.badDatabaseUrl;

      expect(result.code).to.equal(2);
      expect(result.stdout).to.equal('');
      expect(result.stderr).to.include('invalid configuration').and.to.include('databaseUrl (DATABASE_URL)');
    });
  });
});
