import 'reflect-metadata';
import { startTestEnv, stopTestEnv } from './test-env';
import { stopTestKube } from './test-kube';

/**
 * Mocha root hooks: one real database and Redis prefix for the whole run, and the run's kube-apiserver stopped if a
 * test started it.
 */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await startTestEnv();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    try {
      await stopTestKube();
    } finally {
      await stopTestEnv();
    }
  },
};
