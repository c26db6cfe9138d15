import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Where browser tests leave a screenshot of each step (outside the sources, ignored by git). */
export const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-output', 'screenshots');

/** A full-page screenshot of the step, named for it. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
