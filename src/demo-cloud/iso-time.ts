const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * `new Date(ms).toISOString()` for whole seconds, about twice as fast: generating 300,000 VMs spent more time in
 * toISOString than anywhere else. Uses Hinnant's days-to-civil algorithm; joined so V8 keeps one flat string.
 */
export function isoSeconds(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const secondOfDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return [
    year, '-', TWO_DIGITS[month], '-', TWO_DIGITS[day], 'T',
    TWO_DIGITS[Math.floor(secondOfDay / 3600)], ':', TWO_DIGITS[Math.floor(secondOfDay / 60) % 60], ':',
    TWO_DIGITS[secondOfDay % 60], '.000Z',
  ].join('');
}
