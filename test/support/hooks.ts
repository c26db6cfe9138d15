import 'reflect-metadata';
import { startTestEnv, stopTestEnv } from './test-env';

/** Mocha root hooks: one real database and Redis prefix for the whole run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await startTestEnv();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopTestEnv();
  },
};
