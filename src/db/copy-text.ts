import { ValidationError } from '../errors';
import type { ColumnKind } from '../core/inventory/table-layout';

/** PostgreSQL COPY text format's NULL. */
export const COPY_NULL = '\\N';

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const INT4_MIN = -2_147_483_648;
const INT4_MAX = 2_147_483_647;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** Escapes a string for COPY's text format (backslash, tab and line breaks are special). */
export function escapeCopyText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

const ESCAPED = /\\(.)/g;
const UNESCAPED: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };

/** A value as COPY's text format wrote it, unescaped (backslash sequences; COPY TO writes no octal or hex ones). */
export function unescapeCopyText(text: string): string {
  return text.includes('\\') ? text.replace(ESCAPED, (_, escaped: string) => UNESCAPED[escaped] ?? escaped) : text;
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
        // PostgreSQL text cannot hold NUL; a provider sending one must not make every refresh fail at COPY.
        if (typeof value === 'string') return value.includes('\u0000') ? invalid(value) : escapeCopyText(value);
        return typeof value === 'number' || typeof value === 'boolean' ? String(value) : invalid(value);
      };
    case 'integer':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        return typeof value === 'number' && Number.isInteger(value) && value >= INT4_MIN && value <= INT4_MAX ? String(value) : invalid(value);
      };
    case 'bigint':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : invalid(value);
        if (typeof value === 'string') return /^-?\d{1,19}$/.test(value) && inInt8(BigInt(value)) ? value : invalid(value);
        return typeof value === 'bigint' && inInt8(value) ? value.toString() : invalid(value);
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
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        const json = JSON.stringify(value);
        return json.includes('\\u0000') ? invalid(value) : escapeCopyText(json); // jsonb rejects \u0000
      };
    case 'timestamptz':
      return (value) => {
        if (value === null || value === undefined) return COPY_NULL;
        const time = value instanceof Date ? value.getTime() : typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : NaN;
        return Number.isNaN(time) ? invalid(value) : new Date(time).toISOString();
      };
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function inInt8(value: bigint): boolean {
  return value >= INT8_MIN && value <= INT8_MAX;
}
