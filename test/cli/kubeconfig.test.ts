import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFleet } from '../support/fleet-cli';
import { testEnv } from '../support/test-env';
import { testKube, type RunningKube } from '../support/test-kube';

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** `fleet provider add --type kubernetes --kubeconfig FILE [--context NAME]`, as users of kubectl expect it. */
describe('fleet provider add --kubeconfig', () => {
  let kube: RunningKube;
  let cwd: string;

  before(async function () {
    this.timeout(120_000); // the first test to ask starts the server
    kube = await testKube();
    cwd = mkdtempSync(join(tmpdir(), 'fleet-kubeconfig-'));
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  /** A kubeconfig with two contexts: `good` (CA inline, the admin's token from a token file) and `bad` (a wrong token). */
  function writeKubeconfig(): string {
    const tokenFile = join(cwd, 'admin.token');
    writeFileSync(tokenFile, `${kube.adminToken}\n`, { mode: 0o600 });
    const file = join(cwd, `kubeconfig-${randomBytes(3).toString('hex')}`);
    writeFileSync(file, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'good',
      clusters: [{ name: 'test', cluster: { server: kube.url, 'certificate-authority-data': Buffer.from(kube.caPem).toString('base64') } }],
      users: [{ name: 'admin', user: { 'token-file': tokenFile } }, { name: 'stranger', user: { token: 'not-a-token-the-server-knows' } }],
      contexts: [{ name: 'good', context: { cluster: 'test', user: 'admin' } }, { name: 'bad', context: { cluster: 'test', user: 'stranger' } }],
    }), { mode: 0o600 });
    return file;
  }

  const stored = async (name: string): Promise<{ config: Record<string, unknown> } | undefined> =>
    (await testEnv().dataSource.query('SELECT config FROM providers WHERE name = $1', [name]))[0];

  it('takes the server, CA and token of the current context, verifies them and stores the provider', async () => {
    const name = unique('kubeconfig');
    const result = await runFleet(['provider', 'add', '--type', 'kubernetes', '--name', name, '--kubeconfig', writeKubeconfig()], { cwd });

    expect(result.code, result.stderr).to.equal(0);
    const provider = await stored(name);
    expect(provider?.config).to.include({ server: kube.url, caCertificate: kube.caPem });
    expect(result.stdout + result.stderr).not.to.include(kube.adminToken);
  });

  it('takes the context it is told to, whose refused token is the verdict, storing nothing', async () => {
    const name = unique('kubeconfig-bad');
    const result = await runFleet(['provider', 'add', '--type', 'kubernetes', '--name', name, '--kubeconfig', writeKubeconfig(), '--context', 'bad'], { cwd });

    expect(result.code).to.not.equal(0);
    expect(result.stderr).to.include('refused the token (HTTP 401').and.not.include('not-a-token-the-server-knows');
    expect(await stored(name)).to.equal(undefined);
  });

  it('names the contexts a kubeconfig has when told one it lacks, and refuses --kubeconfig for another type', async () => {
    const file = writeKubeconfig();
    const missing = await runFleet(['provider', 'add', '--type', 'kubernetes', '--name', unique('k'), '--kubeconfig', file, '--context', 'prod'], { cwd });
    expect(missing.code).to.not.equal(0);
    expect(missing.stderr).to.include(`kubeconfig ${file} has no context "prod" (it has: good, bad)`);

    const demo = await runFleet(['provider', 'add', '--type', 'demo', '--name', unique('k'), '--kubeconfig', file], { cwd });
    expect(demo.code).to.not.equal(0);
    expect(demo.stderr).to.include('--kubeconfig is for the kubernetes type, not "demo"');
  });
});
