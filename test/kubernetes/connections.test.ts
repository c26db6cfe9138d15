import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { KubeFixture } from '../support/kube-fixture';

/** Established TCP connections (IPv4) whose far end is this port: clients' connections to the server on it. */
async function connectionsTo(port: number): Promise<number> {
  const table = await readFile('/proc/net/tcp', 'utf8');
  const established = '01';
  return table.split('\n').slice(1).filter((line) => {
    const [, , remote, state] = line.trim().split(/\s+/);
    return remote !== undefined && Number.parseInt(remote.split(':')[1], 16) === port && state === established;
  }).length;
}

/** A provider instance, with its client, is built per refresh: their connections to the cluster are the process's. */
describe('kubernetes: connections to the cluster', () => {
  it('stay a few however many refreshes run one after the other', async function () {
    this.timeout(120_000);
    const kube = await KubeFixture.start();
    for (const name of ['a', 'b', 'c']) await kube.createPod(name);
    const port = Number(new URL(kube.kube.url).port);
    const refreshes = 30;
    for (let i = 0; i < refreshes; i += 1) {
      const outcome = await kube.refresh(i % 2 === 0 ? undefined : [{ collection: 'pods', ref: `${kube.namespace}/a` }]);
      expect(outcome.status, String(outcome.error)).to.equal('ok');
    }
    // Each refresh opens connections of its own when clients do not share them, and they stay open while idle.
    expect(await connectionsTo(port)).to.be.below(refreshes / 2);
  });
});
