import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { peakRssBytes } from '../../src/core/lifecycle/peak-rss';

const MB = 2 ** 20;

describe('peak RSS of a process', () => {
  it('is the process\'s own: a small process started by a large one reports its own peak, not its parent\'s', async () => {
    const ballast = Buffer.alloc(300 * MB, 1); // touched, so resident
    const script = `console.log(JSON.stringify(require(${JSON.stringify(require.resolve('../../src/core/lifecycle/peak-rss'))}).peakRssBytes()))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    const childPeak = JSON.parse(stdout) as number;
    expect(ballast[ballast.length - 1]).to.equal(1);
    expect(childPeak).to.be.greaterThan(10 * MB).and.lessThan(200 * MB);
    expect(peakRssBytes()).to.be.greaterThan(300 * MB);
  });

  it('is null for a process that does not exist', () => {
    expect(peakRssBytes(2 ** 22 + 1)).to.equal(null);
  });
});
