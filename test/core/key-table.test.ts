import { expect } from 'chai';
import { KeyTable } from '../../src/core/inventory/key-table';

describe('key table', () => {
  it('numbers each distinct key once, from 0, and answers both ways', () => {
    const table = new KeyTable();
    expect(table.add('vm-1')).to.equal(0);
    expect(table.add('vm-2')).to.equal(1);
    expect(table.add('vm-1')).to.equal(0);
    expect(table.size).to.equal(2);
    expect(table.positionOf('vm-2')).to.equal(1);
    expect(table.positionOf('vm-3')).to.equal(-1);
    expect(table.keyAt(1)).to.equal('vm-2');
    expect(() => table.keyAt(2)).to.throw(RangeError);
  });

  it('keeps apart keys that share bytes or lengths, in any Unicode, and 400,000 keys through its growth', () => {
    const table = new KeyTable();
    const keys = ['', 'a', 'ab', 'ba', 'é', 'e\u0301', '名前', '\u{1F600}', 'x'.repeat(10_000), 'part\u001fpart'];
    for (let i = 0; i < 200_000; i += 1) keys.push(`host-${i}`, String(i));
    keys.forEach((key, i) => {
      if (table.add(key) !== i) expect.fail(`key ${i} was not new`);
    });
    expect(table.size).to.equal(keys.length);
    keys.forEach((key, i) => {
      if (table.positionOf(key) !== i || table.keyAt(i) !== key) expect.fail(`key ${JSON.stringify(key.slice(0, 20))} at ${i}`);
    });
    expect(table.positionOf('host-200000')).to.equal(-1);
  });
});
