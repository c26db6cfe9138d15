import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A database id: a positive bigint, written as digits (ids beyond 2^53 stay exact as strings). */
export const Id = Type.String({ pattern: '^[1-9][0-9]{0,17}$', description: 'a numeric id' });

export const ErrorBody = Type.Object({ error: Type.String() }, { $id: 'Error', additionalProperties: false });

/** A provider named by id or name in a path. */
export const ProviderParams = Type.Object({ provider: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f]+$', description: 'provider id or name' }) });
export type ProviderParams = Static<typeof ProviderParams>;

export const IdParams = Type.Object({ id: Id });
export type IdParams = Static<typeof IdParams>;

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** A nullable value of `schema` (TypeBox's Union with Null, shortened). */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** The error answers every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: Type.Ref('Error'),
  401: Type.Ref('Error'),
  404: Type.Ref('Error'),
  503: Type.Ref('Error'),
} as const;

/**
 * One of a list of strings, as a JSON schema `enum`: validation then says "must be equal to one of the allowed
 * values" for the field, where a union of literals would report its first branch's mismatch.
 */
export function StringEnum<T extends string>(values: readonly T[], options: { description?: string } = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}
