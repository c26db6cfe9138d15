/** A failed API call: the HTTP status (0 when the server could not be reached) and the API's own message. */
export class ApiError extends Error {
  override name = 'ApiError';

  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Whatever was thrown, as an Error to show. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
