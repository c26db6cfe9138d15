import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runFleet } from '../support/fleet-cli';
import { testEnv } from '../support/test-env';
import { PrivateVcsim } from '../support/vcsim';

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** `fleet provider add --type vmware ...`: the generic --config and --credentials-file reach the type's schemas and check. */
describe('fleet provider add --type vmware', () => {
  const vcsim = new PrivateVcsim();
  let cwd: string;

  before(async function () {
    this.timeout(60_000);
    await vcsim.start();
    cwd = mkdtempSync(join(tmpdir(), 'fleet-vmware-cli-'));
  });
  after(async () => {
    rmSync(cwd, { recursive: true, force: true });
    await vcsim.stop();
  });

  function credentialsFile(password: string): string {
    const file = join(cwd, `credentials-${randomBytes(3).toString('hex')}.json`);
    writeFileSync(file, JSON.stringify({ username: vcsim.username, password }), { mode: 0o600 });
    return file;
  }

  const stored = async (name: string): Promise<{ config: Record<string, unknown> } | undefined> =>
    (await testEnv().dataSource.query('SELECT config FROM providers WHERE name = $1', [name]))[0];

  it('verifies and stores a vCenter whose certificate is pinned by fingerprint, with the defaults filled in', async () => {
    const name = unique('vcenter');
    const result = await runFleet([
      'provider', 'add', '--type', 'vmware', '--name', name, '--config', `sdkUrl=${vcsim.sdkUrl}`,
      '--config', `certificateFingerprint=${vcsim.certificateFingerprint}`, '--credentials-file', credentialsFile(vcsim.password),
    ], { cwd });
    expect(result.code, result.stderr).to.equal(0);
    expect((await stored(name))?.config).to.deep.equal({
      sdkUrl: vcsim.sdkUrl, certificateFingerprint: vcsim.certificateFingerprint, insecureSkipTlsVerify: false, pageSize: 500, timeoutSeconds: 60,
    });
    expect(result.stdout + result.stderr).not.to.include(vcsim.password);
  });

  it('names the field of a bad input, and the refused password, storing nothing', async () => {
    const plain = await runFleet([
      'provider', 'add', '--type', 'vmware', '--name', unique('vcenter'), '--config', `sdkUrl=${vcsim.sdkUrl.replace(/^https:/, 'http:')}`,
      '--credentials-file', credentialsFile(vcsim.password),
    ], { cwd });
    expect(plain.code).to.not.equal(0);
    expect(plain.stderr).to.include('config.sdkUrl: must be an https:// URL without user:password@, query or fragment');

    const noPassword = await runFleet([
      'provider', 'add', '--type', 'vmware', '--name', unique('vcenter'), '--config', `sdkUrl=${vcsim.sdkUrl}`, '--credential', `username=${vcsim.username}`,
    ], { cwd });
    expect(noPassword.code).to.not.equal(0);
    expect(noPassword.stderr).to.include('credentials.password: is required');

    const name = unique('vcenter');
    const wrong = `wrong-${vcsim.password}`;
    const refused = await runFleet([
      'provider', 'add', '--type', 'vmware', '--name', name, '--config', `sdkUrl=${vcsim.sdkUrl}`, '--config', 'insecureSkipTlsVerify=true',
      '--credentials-file', credentialsFile(wrong),
    ], { cwd });
    expect(refused.code).to.not.equal(0);
    expect(refused.stderr).to.include('refused the user name or password (InvalidLogin)').and.not.include(wrong);
    expect(await stored(name)).to.equal(undefined);
  });
});
