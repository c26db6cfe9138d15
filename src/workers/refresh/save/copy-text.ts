import { ValidationError } from '../../../errors';
import type { ColumnKind } from '../inventory/table-layout';

/** PostgreSQL COPY text format's NULL. */
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Escapes a string for COPY's text format (backslash, tab and line breaks are special). */
export function escapeCopyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** Encodes one value of a column in COPY text. */
export type ValueEncoder = (value: unknown) => string;

/**
 * An encoder for one non-reference column, producing a canonical form: the same value always encodes the same
 * way, so the encoding doubles as the input of the content hash. A value that does not fit its type (a parser
 * bug that must not be stored silently) throws a ValidationError naming `field`. Built once per column, so
 * encoding a row allocates nothing but its strings.
 */
export function encoderFor(kind: Exclude<ColumnKind, 'reference'>, field: string): ValueEncoder {
  const invalid = (value: unknown): never => {
    throw new ValidationError(`${field}: ${describe(value)} is not a valid ${kind}`);
  };
  switch (kind) {
    case 'text':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        if (typeof value === 'string') return escapeCopyText(value);
        return typeof value === 'number' || typeof value === 'boolean' ? String(value) : invalid(value);
      };
    case 'integer':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2_147_483_647 ? String(value) : invalid(value);
      };
    case 'bigint':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : invalid(value);
        if (typeof value === 'string') return /^-?\d{1,19}$/.test(value) ? value : invalid(value);
        return typeof value === 'bigint' ? value.toString() : invalid(value);
      };
    case 'float':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        return typeof value === 'number' && Number.isFinite(value) ? String(value) : invalid(value);
      };
    case 'boolean':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        return typeof value === 'boolean' ? (value ? 't' : 'f') : invalid(value);
      };
    case 'jsonb':
      return (value) => (value === null || value === undefined ? COPY_NULL : escapeCopyText(JSON.stringify(value)));
    case 'timestamptz':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        if (typeof value === 'string' && CANONICAL_TIMESTAMP.test(value)) return value; // already what toISOString gives
        const time = value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : NaN;
        return Number.isNaN(time) ? invalid(value) : new Date(time).toISOString();
      };
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
