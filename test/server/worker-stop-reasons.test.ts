import { expect } from 'chai';
import { heartbeatLostReason, restartCause, STOP_REASONS, workerFailedReason } from '../../src/server/worker-stop-reasons';

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
});
