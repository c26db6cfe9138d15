import { expect } from 'chai';
import { linesRepeatingKeys } from './repeated-log-keys';

describe('test support: log lines that repeat a key', () => {
  it('finds a key named twice in one object, at any depth, and nothing in lines without one', () => {
    const log = [
      '{"level":30,"role":"server","role":"refresh","msg":"a"}',
      '{"level":30,"err":{"type":"Error","type":"X"},"msg":"b"}',
      '{"level":30,"a":{"k":1},"b":{"k":2},"msg":"same key in two objects"}',
      'not json',
      '',
    ].join('\n');
    expect(linesRepeatingKeys(log).map((found) => found.keys)).to.deep.equal([['role'], ['type']]);
  });
});
