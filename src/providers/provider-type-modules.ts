import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import type { AnyProviderType } from './provider';
import { providerTypes } from './provider-types';

/**
 * The type map with the provider types of `modules` added: types that live outside the fleet's source, each
 * module exporting `providerType` (built with registerType). A module that cannot be loaded, exports no type,
 * or names a type already known is a configuration error, reported for all modules at once.
 */
export function withProviderTypeModules(modules: readonly string[]): Readonly<Record<string, AnyProviderType>> {
  if (modules.length === 0) return providerTypes;
  const types: Record<string, AnyProviderType> = { ...providerTypes };
  const problems: string[] = [];
  for (const module of modules) {
    const where = `providerTypeModules: ${module}`;
    let exported: unknown;
    try {
      // Relative paths are relative to where the fleet runs, like the config file's.
      exported = (require(resolve(module)) as { providerType?: unknown }).providerType;
    } catch (error: unknown) {
      problems.push(`${where}: could not be loaded (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      continue;
    }
    if (!isProviderType(exported)) {
      problems.push(`${where}: exports no providerType`);
    } else if (Object.hasOwn(types, exported.type)) {
      problems.push(`${where}: provider type "${exported.type}" is already known`);
    } else {
      types[exported.type] = exported;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return types;
}

function isProviderType(value: unknown): value is AnyProviderType {
  const candidate = value as Partial<AnyProviderType> | null | undefined;
  return typeof candidate?.type === 'string' && typeof candidate.create === 'function' && typeof candidate.inventory === 'object';
}
