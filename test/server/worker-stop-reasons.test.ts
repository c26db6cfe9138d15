import { expect } from 'chai';
import { endedReason, failedByItself, heartbeatLostReason, restartCause, STOP_REASONS, workerFailedReason } from '../../src/server/worker-stop-reasons';

describe('worker stop reasons', () => {
  it('tell a replaced worker\'s cause, as a label from a closed set', () => {
    const cases: [string | null, string | null][] = [
      [STOP_REASONS.exited, 'exited'],
      [STOP_REASONS.exitedBeforeRegistering, 'exited_before_registering'],
      [STOP_REASONS.registrationTimeout, 'registration_timeout'],
      [STOP_REASONS.stopTimeout, 'stop_timeout'],
      [STOP_REASONS.memoryThreshold, 'memory_threshold'],
      [heartbeatLostReason(45_200), 'heartbeat_lost'],
      [workerFailedReason('connection refused'), 'failed'],
      [`${workerFailedReason('boom')}; running job handed back`, 'failed'],
      [endedReason({ kind: 'signal', signal: 'SIGKILL' }, true), 'killed'],
      [endedReason({ kind: 'signal', signal: 'SIGABRT' }, true), 'crashed'],
      ['something new', 'other'],
      [null, 'other'],
    ];
    for (const [reason, cause] of cases) expect(restartCause(reason), String(reason)).to.equal(cause);
  });

  it('count orderly stops as no restart: a signal, or a worker no longer wanted', () => {
    for (const reason of ['SIGTERM', 'SIGINT', 'SIGTERM; running job handed back', STOP_REASONS.noLongerWanted, STOP_REASONS.providerGone]) {
      expect(restartCause(reason), reason).to.equal(null);
    }
  });

  it('name the signal that ended a worker, and how else it ended', () => {
    expect(endedReason({ kind: 'signal', signal: 'SIGKILL' }, true)).to.equal('killed by SIGKILL');
    expect(endedReason({ kind: 'signal', signal: 'SIGTERM' }, false)).to.equal('killed by SIGTERM');
    // Signals a process raises on itself: an abort (V8 out of heap), a memory fault.
    expect(endedReason({ kind: 'signal', signal: 'SIGABRT' }, true)).to.equal('crashed with SIGABRT');
    expect(endedReason({ kind: 'signal', signal: 'SIGSEGV' }, false)).to.equal('crashed with SIGSEGV');
    expect(endedReason({ kind: 'exited', code: 1 }, true)).to.equal(STOP_REASONS.exited);
    expect(endedReason({ kind: 'exited', code: 1 }, false)).to.equal(STOP_REASONS.exitedBeforeRegistering);
    expect(endedReason({ kind: 'unknown' }, true)).to.equal(STOP_REASONS.exited);
  });

  it('count only failures of the worker itself as crashes, not a kill from outside or an orderly stop', () => {
    const crashes = ['crashed with SIGABRT', STOP_REASONS.exited, STOP_REASONS.exitedBeforeRegistering, STOP_REASONS.registrationTimeout, heartbeatLostReason(40_000), workerFailedReason('boom')];
    for (const reason of crashes) expect(failedByItself(reason), reason).to.equal(true);
    for (const reason of ['killed by SIGKILL', 'SIGTERM', STOP_REASONS.noLongerWanted, STOP_REASONS.providerGone, null]) {
      expect(failedByItself(reason), String(reason)).to.equal(false);
    }
  });
});
