import type { InventoryField } from './inventory-field';

/** The longest text a filter compares with; longer is not a value anyone typed. */
export const MAX_TEXT_LENGTH = 1000;

const INT4 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const INT8 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const ID = /^[1-9][0-9]{0,18}$/;
const INTEGER = /^-?[0-9]{1,19}$/;
const NUMBER = /^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
/** An ISO 8601 date, or date and time with an offset (a time without one would mean the server's zone). */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](?:0\d|1[0-5])(?::?[0-5]\d)?))?$/i;

/**
 * Checks a value given as text (a filter, a cursor's position) against its field's type and answers the text to
 * bind as the SQL parameter, or why it is not a value of the field: a bad value is the requester's to fix, never an
 * error of the database's.
 */
export function fieldValue(field: InventoryField, text: string): { value: string } | { problem: string } {
  switch (field.type) {
    case 'id':
      return ID.test(text) && BigInt(text) <= INT8.max ? { value: text } : { problem: 'must be an id (digits)' };
    case 'integer': {
      const range = field.sqlType === 'integer' ? INT4 : INT8;
      if (!INTEGER.test(text)) return { problem: 'must be an integer' };
      const value = BigInt(text);
      return value >= range.min && value <= range.max ? { value: value.toString() } : { problem: `must be an integer from ${range.min} to ${range.max}` };
    }
    case 'number':
      return NUMBER.test(text) && Number.isFinite(Number(text)) ? { value: text } : { problem: 'must be a number' };
    case 'boolean':
      return text === 'true' || text === 'false' ? { value: text } : { problem: 'must be true or false' };
    case 'timestamp':
      return timestampValue(text);
    case 'string':
      if (text.length > MAX_TEXT_LENGTH) return { problem: `must be at most ${MAX_TEXT_LENGTH} characters` };
      // PostgreSQL text cannot hold a NUL, and would refuse the query instead of finding nothing.
      return text.includes('\u0000') ? { problem: 'must not contain NUL characters' } : { value: text };
    case 'json':
      return { problem: 'is a JSON document, which cannot be compared' };
  }
}

function timestampValue(text: string): { value: string } | { problem: string } {
  const problem = 'must be a timestamp (ISO 8601 with a zone, e.g. 2026-01-31T12:00:00Z, or a date)';
  const match = TIMESTAMP.exec(text);
  if (!match) return { problem };
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match;
  // The pattern admits 2026-02-31 or 25:00; the calendar does not (and PostgreSQL would refuse the query).
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  const valid = date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day)
    && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60 && Number(year) >= 1;
  if (!valid) return { problem };
  // A date alone is midnight UTC, not midnight wherever the database server is.
  return { value: match[4] === undefined ? `${text}T00:00:00Z` : text };
}
