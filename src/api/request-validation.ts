import Ajv, { type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const common: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false };

/**
 * Builds the compiler that checks requests against their schemas (fastify's `compilersFactory.buildValidator`, so
 * every plugin context gets it, also those that add shared schemas). The URL's parts are text, so the querystring
 * and path parameters are coerced to their schema's types (`?limit=50`); a JSON body is taken as sent, so
 * `"name": 123` is a wrong type and not the name "123". Unknown fields are refused everywhere
 * (additionalProperties: false), never dropped.
 */
export function buildRequestValidator(externalSchemas: Record<string, unknown> = {}): (route: { httpPart: string; schema?: unknown }) => ValidateFunction {
  const bodies = addFormats(new Ajv({ ...common, coerceTypes: false }));
  const urlParts = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  for (const schema of Object.values(externalSchemas)) {
    bodies.addSchema(schema as object);
    urlParts.addSchema(schema as object);
  }
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodies : urlParts).compile(schema as object);
}
