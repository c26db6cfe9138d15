import { expect } from 'chai';
import { NotFoundError } from '../../src/errors';
import { refreshProvider } from '../../src/workers/refresh/refresh-provider';
import { capturedLogger } from '../support/captured-logger';
import { DemoFixture } from '../support/demo-fixture';
import { testEnv } from '../support/test-env';
import { until } from '../support/wait';

/** A provider deleted while its refresh runs: the refresh ends saying so, as an end the operator asked for. */
describe('a refresh whose provider is deleted while it runs', () => {
  it('ends with the provider not found, logging it as information and no error', async () => {
    const demo = await DemoFixture.start({ vms: 5 });
    try {
      const log = capturedLogger('info');
      const { dataSource } = testEnv();
      // Held at its first request to the cloud, so that the deletion comes while it runs.
      await demo.setFaults({ hold: true });
      const refresh = refreshProvider({
        dataSource, store: demo.store, logger: log.logger, provider: demo.provider.id, source: 'cli', fullThreshold: 100,
      }).then(() => expect.fail('the refresh succeeded'), (error: unknown) => error);
      await until(async () => ((await dataSource.query(`SELECT 1 FROM refresh_runs WHERE provider_id = $1 AND status = 'running'`, [demo.provider.id])).length > 0
        ? true : undefined), 'the refresh to run');
      await demo.store.delete(demo.provider.id);
      await demo.clearFaults();

      const error = await refresh;
      expect(error).to.be.instanceOf(NotFoundError).with.property('message', `provider "${demo.provider.name}" was deleted during its refresh`);
      const lines = log.lines();
      expect(lines.filter((line) => Number(line.level) >= 40), 'warnings and errors').to.deep.equal([]);
      expect(lines.map((line) => line.event)).to.include('refresh.provider_deleted');
    } finally {
      await demo.close();
    }
  });
});
