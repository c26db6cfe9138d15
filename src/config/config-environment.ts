import { configSources, structuredSettings, type FleetConfig } from './fleet-config';

/**
 * The environment that gives another process exactly this configuration (how the server hands its resolved
 * settings, wherever they came from, to the workers it starts). Secrets travel in the environment of a child
 * only, never in its arguments, which any local user can read.
 */
export function configEnvironment(config: FleetConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, source] of Object.entries(configSources) as [keyof FleetConfig, { env: string }][]) {
    const value = config[key];
    env[source.env] = structuredSettings.has(key) ? JSON.stringify(value) : String(value);
  }
  return env;
}
