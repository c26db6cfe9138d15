import type { AnyProviderType } from './provider';
import { validateAgainst } from './provider-types';
import { refreshIntervalProblem } from './refresh-interval';

/** What a user gives to add a provider. */
export interface ProviderInput {
  type: string;
  name: string;
  zone?: string;
  region?: string | null;
  config: unknown;
  credentials: unknown;
  /** Minutes between scheduled full refreshes (0: none); absent or null takes the type's interval. */
  refreshIntervalMinutes?: number | null;
}

/**
 * Checks a provider's input against its type: null when valid, else one message naming the field. Fills the
 * schemas' defaults into config and credentials. Credentials are left out when they are not being changed.
 */
export function validateProviderInput(type: AnyProviderType, input: ProviderInput, options: { skipCredentials?: boolean } = {}): string | null {
  if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 128) {
    return 'name: must be a non-empty string of at most 128 characters';
  }
  if (/^\d+$/.test(input.name)) return 'name: must not be all digits (commands take a provider by id or by name)';
  if (input.zone !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(input.zone)) return 'zone: must be 1-64 letters, digits, dots, dashes or underscores';
  if (type.regions) {
    const known = type.regions.map((r) => r.name);
    if (!input.region) return `region: is required (one of ${known.join(', ')})`;
    if (!known.includes(input.region)) return `region: unknown region "${input.region}" (one of ${known.join(', ')})`;
  } else if (input.region) {
    return `region: provider type ${type.type} has no regions`;
  }
  return refreshIntervalProblem(input.refreshIntervalMinutes)
    ?? validateAgainst(type.configSchema, input.config, 'config')
    ?? (options.skipCredentials ? null : validateAgainst(type.credentialsSchema, input.credentials, 'credentials'));
}
