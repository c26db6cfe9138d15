import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { configDefaults, configSchema, configSources, structuredSettings, type FleetConfig } from './fleet-config';

/** The file read when neither FLEET_CONFIG nor --config names one; `npm run setup` writes it. */
export const DEFAULT_CONFIG_FILE = 'fleet.config.json';

export interface ConfigInputs {
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, keyed like FleetConfig. */
  flags?: Partial<Record<keyof FleetConfig, string | number | undefined>>;
  /** Path of a JSON config file; when absent, FLEET_CONFIG or ./fleet.config.json if it exists. */
  configFile?: string;
}

const validate = new Ajv({ allErrors: true, coerceTypes: true }).compile(configSchema);

/**
 * Reads the configuration from flags, environment and config file (in that order of precedence), validates it
 * once, and reports every problem in a single error. Secret values are never echoed in the error.
 */
export function loadConfig(inputs: ConfigInputs = {}): FleetConfig {
  const env = inputs.env ?? process.env;
  const problems: string[] = [];
  const fromFile = readConfigFile(inputs.configFile || env.FLEET_CONFIG || undefined, problems);

  const merged: Record<string, unknown> = { ...configDefaults };
  for (const [key, value] of Object.entries(fromFile)) merged[key] = value;
  for (const [key, source] of Object.entries(configSources)) {
    const fromEnv = env[source.env];
    if (fromEnv !== undefined && fromEnv !== '') merged[key] = structuredSettings.has(key as keyof FleetConfig) ? parseJsonSetting(fromEnv, key, source.env, problems) : fromEnv;
    const fromFlag = inputs.flags?.[key as keyof FleetConfig];
    if (fromFlag !== undefined) merged[key] = fromFlag;
  }

  if (!validate(merged)) {
    for (const error of validate.errors ?? []) problems.push(describeProblem(error.instancePath, error.message, error.params));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return merged as unknown as FleetConfig;
}

function parseJsonSetting(value: string, key: string, envName: string, problems: string[]): unknown {
  try {
    return JSON.parse(value);
  } catch {
    problems.push(`${key} (${envName}): must be JSON, e.g. ${key === 'providerTypeModules' ? '["./my-type.js"]' : '{"demo": 60}'}`);
    return undefined;
  }
}

function readConfigFile(path: string | undefined, problems: string[]): Record<string, unknown> {
  const explicit = path !== undefined;
  const file = resolve(path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit) problems.push(`config file ${file} does not exist`);
    return {};
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error: unknown) {
    problems.push(`config file ${file} cannot be read (${error instanceof Error && 'code' in error ? String(error.code) : 'read failed'})`);
    return {};
  }
  const syntaxError = jsonSyntaxError(text);
  if (syntaxError !== null) {
    problems.push(`config file ${file} is not valid JSON: ${syntaxError}`);
    return {};
  }
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`config file ${file} must hold a JSON object`);
    return {};
  }
  return parsed as Record<string, unknown>;
}

/**
 * Where and how JSON text is broken (`value expected at line 3, column 8`), or null when it is JSON. Never the text
 * around the error, as JSON.parse's message quotes it: that may be the encryption key.
 */
function jsonSyntaxError(text: string): string | null {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const [first] = errors;
  if (first === undefined) return null;
  const before = text.slice(0, first.offset).split('\n');
  const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `${what} at line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

function describeProblem(instancePath: string, message: string | undefined, params: Record<string, unknown>): string {
  // A problem inside a structured setting (refreshIntervalsByType/demo) names the setting and the entry.
  const [key, ...inner] = (instancePath.replace(/^\//, '') || String(params.missingProperty ?? params.additionalProperty ?? '')).split('/');
  const source = configSources[key as keyof FleetConfig];
  const name = [key, ...inner].join('.');
  const where = source ? `${name} (${source.env})` : name;
  if (params.additionalProperty !== undefined) return `${where}: unknown setting`;
  if (key === 'encryptionKey' && params.pattern !== undefined) {
    return `${where}: must be 32 bytes as 64 hex characters or base64 (generate one with: fleet key generate)`;
  }
  return `${where}: ${message ?? 'invalid'}`;
}
