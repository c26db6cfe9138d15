// A module of its own, apart from the provider input checks so that the API schemas, which the web UI type-checks,
// reach no server code (see .dependency-cruiser.cjs).

/** The longest refresh interval one can set: a year. */
export const MAX_REFRESH_INTERVAL_MINUTES = 525_600;

/** null when valid, else the message: an interval is a whole number of minutes from 0 (none) to a year. */
export function refreshIntervalProblem(minutes: unknown): string | null {
  if (minutes === undefined || minutes === null) return null;
  if (typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= 0 && minutes <= MAX_REFRESH_INTERVAL_MINUTES) return null;
  return `refreshIntervalMinutes: must be a whole number of minutes from 0 (no scheduled refreshes) to ${MAX_REFRESH_INTERVAL_MINUTES}`;
}
