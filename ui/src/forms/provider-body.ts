import type { ProviderCreateBody, ProviderUpdateBody } from '../api/api-types';

/**
 * The add-provider form's values as the API's body. The renderer nests dotted field names, so "config.endpoint" and
 * "credentials.secretKey" arrive as { config: { endpoint }, credentials: { secretKey } }.
 */
export function providerBody(type: string, values: Record<string, unknown>): ProviderCreateBody {
  const body: ProviderCreateBody = {
    type,
    name: typeof values.name === 'string' ? values.name.trim() : '',
    config: objectOrEmpty(values.config),
    credentials: objectOrEmpty(values.credentials),
  };
  if (typeof values.region === 'string' && values.region !== '') body.region = values.region;
  return body;
}

/**
 * The edit form's values as the API's update: the name and config, and the credentials only when some were typed
 * in (left empty, the stored ones stay).
 */
export function providerUpdateBody(values: Record<string, unknown>): ProviderUpdateBody {
  const body: ProviderUpdateBody = { name: typeof values.name === 'string' ? values.name.trim() : '', config: objectOrEmpty(values.config) };
  const credentials = objectOrEmpty(values.credentials);
  if (Object.values(credentials).some((value) => value !== undefined && value !== '')) body.credentials = credentials;
  return body;
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}
