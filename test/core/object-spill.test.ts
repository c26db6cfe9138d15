import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { ObjectSpill } from '../../src/core/inventory/object-spill';

const spillFolders = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('fleet-refresh-'));

describe('object spill', () => {
  it('reads back what a small refresh built, in build order, from memory', () => {
    const spill = new ObjectSpill();
    spill.append(0, 'vm-1\trunning', false);
    spill.append(1, 'vm-2\t\\N', false);
    spill.append(2, 'née\t名前', false);
    expect([...spill.read()]).to.deep.equal([[0, 'vm-1\trunning'], [1, 'vm-2\t\\N'], [2, 'née\t名前']]);
    spill.release();
    expect([...spill.read()]).to.deep.equal([]);
  });

  it('reads back a large one through its unnamed file, records across read chunks and one larger than a chunk, leaving no file', () => {
    const before = spillFolders();
    const spill = new ObjectSpill();
    const texts: string[] = [];
    for (let i = 0; i < 60_000; i += 1) texts.push(`object ${i}\t${'ü'.repeat(i % 97)}`);
    texts[31_000] = 'x'.repeat(3 * 2 ** 20); // larger than the chunk read at a time
    texts.forEach((text, i) => spill.append(i, text, false));
    expect(spillFolders()).to.deep.equal(before);
    const read = [...spill.read()];
    expect(read.length).to.equal(texts.length);
    read.forEach(([position, text], i) => {
      if (position !== i || text !== texts[i]) expect.fail(`record ${i}`);
    });
    spill.release();
  });

  it('reads only the latest text of an object built again', () => {
    const spill = new ObjectSpill();
    for (let i = 0; i < 20_000; i += 1) spill.append(i, `first ${i}\t${'-'.repeat(80)}`, false);
    spill.append(7, 'second 7', true);
    spill.append(19_999, 'second 19999', true);
    spill.append(7, 'third 7', true);
    const read = new Map<number, string[]>();
    for (const [position, text] of spill.read()) read.set(position, [...(read.get(position) ?? []), text]);
    expect(read.size).to.equal(20_000);
    expect(read.get(7)).to.deep.equal(['third 7']);
    expect(read.get(19_999)).to.deep.equal(['second 19999']);
    expect(read.get(8)?.[0]).to.match(/^first 8\t/);
    spill.release();
  });
});
