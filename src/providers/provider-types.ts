import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import ajvErrors from 'ajv-errors';
import addFormats from 'ajv-formats';
import { ValidationError } from '../errors';
import { demoProviderType } from './demo/demo-provider-type';
import { kubernetesProviderType } from './kubernetes/kubernetes-provider-type';
import type { AnyProviderType } from './provider';
import { vmwareProviderType } from './vmware/vmware-provider-type';

/** The type map: every provider type the fleet ships, by name. */
export const providerTypes: Readonly<Record<string, AnyProviderType>> = {
  demo: demoProviderType,
  kubernetes: kubernetesProviderType,
  vmware: vmwareProviderType,
};

export function providerType(type: string, types = providerTypes): AnyProviderType {
  const found = Object.hasOwn(types, type) ? types[type] : undefined;
  if (!found) throw new ValidationError(`unknown provider type "${type}" (known types: ${Object.keys(types).join(', ')})`);
  return found;
}

// Every problem at once (allErrors), in the schemas' own words where they give them (ajv-errors' errorMessage).
const ajv = ajvErrors(addFormats(new Ajv({ allErrors: true, useDefaults: true })));
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Validates a value against one of a type's schemas: null when valid, else a message naming each field that is wrong
 * and how, e.g. `config.endpoint: must be an http:// or https:// URL without user:password@; config.pageSize: must
 * be <= 1000`. Defaults from the schema are filled in.
 */
export function validateAgainst(schema: object, value: unknown, prefix: string): string | null {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  if (validate(value)) return null;
  const problems = (validate.errors ?? []).map((error) => describeProblem(error, prefix));
  return problems.length === 0 ? `${prefix}: invalid` : [...new Set(problems)].join('; ');
}

function describeProblem(error: ErrorObject, prefix: string): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const { missingProperty, additionalProperty, allowedValues } = error.params as Record<string, unknown>;
  const field = [prefix, path, missingProperty ?? additionalProperty].filter(Boolean).join('.');
  if (missingProperty !== undefined) return `${field}: is required`;
  if (additionalProperty !== undefined) return `${field}: is not a known setting`;
  if (Array.isArray(allowedValues)) return `${field}: must be one of ${allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${field}: ${error.message ?? 'is invalid'}`;
}
