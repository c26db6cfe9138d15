import { rm } from 'node:fs/promises';
import { sleep } from './wait';

/**
 * A service a test runs for itself (its own port, its data in a temporary directory), so the test may restart it
 * without touching the services other tests share.
 */
export abstract class PrivateServer {
  /** The temporary directory of its data, once the first start made it. */
  protected dir: string | undefined;

  /** Starts the server; later starts reuse the first one's port and data. */
  abstract start(): Promise<void>;

  /** Stops the server if it runs, keeping its data. */
  protected abstract shutDown(): Promise<void>;

  /**
   * Stops the server, leaves nothing listening for `pauseMs`, and starts it again on the same port and data;
   * `whileDown` runs once it is down, at the start of the pause.
   */
  async restart(pauseMs: number, whileDown?: () => Promise<void>): Promise<void> {
    await this.shutDown();
    await whileDown?.();
    await sleep(pauseMs);
    await this.start();
  }

  /** Stops the server for good and removes its data; safe to call more than once and after a failed start. */
  async stop(): Promise<void> {
    try {
      await this.shutDown();
    } finally {
      const dir = this.dir;
      this.dir = undefined;
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    }
  }
}
