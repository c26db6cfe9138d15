import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

function failedWith(error: unknown, code: string): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === code;
}

/** Whether a query failed on a unique index: two writers racing past a check for the same name meet there. */
export function isUniqueViolation(error: unknown): boolean {
  return failedWith(error, UNIQUE_VIOLATION);
}

/** Whether a query failed on a foreign key: the row it points at was deleted meanwhile. */
export function isForeignKeyViolation(error: unknown): boolean {
  return failedWith(error, FOREIGN_KEY_VIOLATION);
}
