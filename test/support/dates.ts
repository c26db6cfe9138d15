/**
 * Calendar arithmetic for tests, done as PostgreSQL does it in the run's sessions (which are in UTC, see
 * test-env.ts): `timestamptz - interval 'N months'` keeps the day of the month and stops at the month's end when
 * the month is shorter (31 August minus 6 months is 28 or 29 February), where JavaScript's `setUTCMonth` rolls over
 * into the next month (3 March). Tests that compare with SQL date arithmetic take their dates from here.
 */

/** `at` moved by `months` calendar months (negative: back), clamped to the target month's last day. */
export function addMonths(at: Date, months: number): Date {
  if (!Number.isInteger(months)) throw new Error(`months must be a whole number, not ${months}`);
  const monthIndex = at.getUTCFullYear() * 12 + at.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const moved = new Date(at.getTime());
  moved.setUTCFullYear(year, month, Math.min(at.getUTCDate(), lastDay));
  return moved;
}

/** `at` moved by `days` days of 24 hours (UTC days have no daylight saving changes). */
export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * 86_400_000);
}
