const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** The three forms of an HTTP-date (RFC 9110 §5.6.7), each with its fields in a different order. */
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

interface DateFields {
  year: number;
  month: string;
  day: string;
  time: [string, string, string];
}

/**
 * How long a Retry-After header asks to wait, in milliseconds: delta-seconds as they are, an HTTP-date as the time
 * from `now` until then (0 when it has passed). Null when the header is absent or is neither form, so the caller
 * falls back on its own back-off rather than trusting a value it does not understand.
 */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = parseHttpDate(text, now);
  return at === null ? null : Math.max(0, at - now);
}

/** An HTTP-date in any of its three forms, as epoch milliseconds; null when it is none of them or names no real day. */
export function parseHttpDate(text: string, now: number): number | null {
  const fields = dateFields(text, now);
  if (!fields) return null;
  const month = MONTHS.indexOf(fields.month);
  const day = Number(fields.day);
  const [hours, minutes, seconds] = fields.time.map(Number);
  const at = new Date(Date.UTC(fields.year, month, day, hours, minutes, seconds));
  // Date.UTC rolls 31 Feb over into March; such a date is malformed, not a day in March.
  if (at.getUTCDate() !== day || hours > 23 || minutes > 59 || seconds > 60) return null;
  return at.getTime();
}

function dateFields(text: string, now: number): DateFields | null {
  let match = IMF_FIXDATE.exec(text);
  if (match) return { day: match[1], month: match[2], year: Number(match[3]), time: [match[4], match[5], match[6]] };
  match = RFC_850.exec(text);
  if (match) return { day: match[1], month: match[2], year: fullYear(Number(match[3]), now), time: [match[4], match[5], match[6]] };
  match = ASCTIME.exec(text);
  if (match) return { month: match[1], day: match[2].trim(), year: Number(match[6]), time: [match[3], match[4], match[5]] };
  return null;
}

/** A two-digit year that would be more than 50 years ahead is the latest past year with those digits (RFC 9110). */
function fullYear(twoDigits: number, now: number): number {
  const thisYear = new Date(now).getUTCFullYear();
  const year = thisYear - (thisYear % 100) + twoDigits;
  return year > thisYear + 50 ? year - 100 : year;
}
