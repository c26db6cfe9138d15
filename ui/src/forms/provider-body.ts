import type { Provider, ProviderCreateBody, ProviderUpdateBody } from '../api/api-types';

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

/** What the edit form changes of a provider, as the API's update, or why it cannot be saved. */
export type ProviderEdit = { changes: ProviderUpdateBody } | { problem: string };

/**
 * What the edit form's values change of `provider`: the name if renamed, the settings whose values differ (the API
 * merges them into the stored ones; only they make it check the provider again), and the credentials only when some
 * were typed in (left empty, the stored ones stay). A stored setting emptied in the form is refused: the API keeps a
 * setting until it is given another value, so saving would silently keep the old one.
 */
export function providerEdit(provider: Provider, values: Record<string, unknown>): ProviderEdit {
  const config = objectOrEmpty(values.config);
  const emptied = Object.keys(provider.config).filter((key) => isEmpty(config[key]));
  if (emptied.length > 0) return { problem: `${emptied.map((key) => `config.${key}`).join(', ')}: a stored setting cannot be emptied, only changed` };

  const changes: ProviderUpdateBody = {};
  const name = typeof values.name === 'string' ? values.name.trim() : '';
  if (name !== provider.name) changes.name = name;
  const changedConfig = Object.entries(config).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(provider.config[key]));
  if (changedConfig.length > 0) changes.config = Object.fromEntries(changedConfig);
  const credentials = objectOrEmpty(values.credentials);
  if (Object.values(credentials).some((value) => !isEmpty(value))) changes.credentials = credentials;
  return { changes };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}
