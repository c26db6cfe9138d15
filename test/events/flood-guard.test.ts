import { expect } from 'chai';
import type { ProviderEvent } from '../../src/core/events/provider-events';
import { FloodGuard, type FloodReport } from '../../src/workers/event-catcher/flood-guard';

const event = (type: string, emsRef: string): ProviderEvent => ({
  sourceId: '1', type, timestamp: '2026-11-22T00:00:00Z', message: '', refs: [{ collection: 'vms', emsRef }],
});

describe('flood guard', () => {
  it('passes a repeated event the set number of times per minute, reports the flood once, then its count when the minute is over', () => {
    let now = 0;
    const reports: (FloodReport & { phase: string })[] = [];
    const guard = new FloodGuard(3, (report) => reports.push(report), () => now);
    const admitted = Array.from({ length: 10 }, () => guard.admit(event('vm.alarm', 'vm-1')));
    expect(admitted).to.deep.equal([true, true, true, false, false, false, false, false, false, false]);
    // Other types and other objects are other keys.
    expect(guard.admit(event('vm.power_off', 'vm-1'))).to.equal(true);
    expect(guard.admit(event('vm.alarm', 'vm-2'))).to.equal(true);
    expect(reports).to.deep.equal([{ key: 'vm.alarm vms/vm-1', blocked: 1, phase: 'started' }]);

    now = 60_000;
    expect(guard.admit(event('vm.alarm', 'vm-1'))).to.equal(true);
    expect(reports.slice(1)).to.deep.equal([{ key: 'vm.alarm vms/vm-1', blocked: 7, phase: 'ended' }]);
  });
});
