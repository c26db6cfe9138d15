import type { DataSource } from 'typeorm';

/**
 * What a test set up, undone last-first after it: every step runs even when one before it fails, so private
 * services and processes never outlive a failed test.
 */
export class Teardown {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error: unknown) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'teardown failed');
  }
}

/**
 * Leaves only this provider enabled in `dataSource`, so a fleet server started on it supervises exactly that
 * provider's workers; the teardown marks the workers stopped and enables every provider again.
 */
export async function serveOnly(dataSource: DataSource, providerId: string, teardown: Teardown): Promise<void> {
  await dataSource.query('UPDATE providers SET enabled = (id = $1)', [providerId]);
  teardown.add(async () => {
    await dataSource.query(`UPDATE workers SET status = 'stopped' WHERE status <> 'stopped'`);
    await dataSource.query('UPDATE providers SET enabled = true');
  });
}
