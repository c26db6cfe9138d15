import { ValidationError } from '../../../errors';
import type { ColumnKind } from '../inventory/table-layout';

/** PostgreSQL COPY text format's NULL. */
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\n\r\t]/;

/** Escapes a string for COPY's text format (backslash, tab and line breaks are special). */
export function escapeCopyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/**
 * Encodes one non-reference value in COPY text, in a canonical form: the same value always encodes the same way, so
 * the encoding doubles as the input of the content hash. Throws a ValidationError naming the column on a value
 * that does not fit its type (a parser bug that must not be silently stored).
 */
export function encodeCopyValue(kind: ColumnKind, value: unknown, where: () => string): string {
  if (value === null || value === undefined) return COPY_NULL;
  switch (kind) {
    case 'text':
      if (typeof value === 'string') return escapeCopyText(value);
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      break;
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2_147_483_647) return String(value);
      break;
    case 'bigint':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) return value;
      if (typeof value === 'bigint') return value.toString();
      break;
    case 'float':
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value ? 't' : 'f';
      break;
    case 'jsonb':
      return escapeCopyText(JSON.stringify(value));
    case 'timestamptz': {
      const time = value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? Date.parse(String(value)) : NaN;
      if (!Number.isNaN(time)) return new Date(time).toISOString();
      break;
    }
    case 'reference':
      break;
  }
  throw new ValidationError(`${where()}: ${describe(value)} is not a valid ${kind}`);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
