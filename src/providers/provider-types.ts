import Ajv, { type ValidateFunction } from 'ajv';
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

const ajv = addFormats(new Ajv({ allErrors: false, useDefaults: true }));
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Validates a value against one of a type's schemas: null when valid, else one message that names the field,
 * e.g. `config.endpoint: must match format "uri"`. Defaults from the schema are filled in.
 */
export function validateAgainst(schema: object, value: unknown, prefix: string): string | null {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  if (validate(value)) return null;
  const error = validate.errors?.[0];
  if (!error) return `${prefix}: invalid`;
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = [prefix, path, error.params.missingProperty ?? error.params.additionalProperty].filter(Boolean).join('.');
  const message = error.params.additionalProperty !== undefined ? 'is not a known setting' : error.message ?? 'is invalid';
  return `${field}: ${error.params.missingProperty !== undefined ? 'is required' : message}`;
}
