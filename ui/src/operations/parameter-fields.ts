import type { FormFieldSchema } from '../api/api-types';
import { titleOf } from '../components/format';

type ValidationRule = NonNullable<FormFieldSchema['validate']>[number];

/** What a value typed as JSON is told, for a parameter the form has no input of its own for (an object, a list). */
const AS_JSON = 'as JSON';

/**
 * An operation's parameters (a JSON schema of an object, as provider types declare them) as data-driven-forms
 * fields, one per property: a select for an enum of strings, a checkbox for a boolean, a number input for a number,
 * a text input for a string, and a JSON textarea for anything else. Required properties and string patterns are
 * checked in the form; the API checks the whole schema again.
 */
export function parameterFields(schema: unknown): FormFieldSchema[] {
  const required = new Set(stringsOf(recordOf(schema).required));
  return Object.entries(propertiesOf(schema)).map(([name, property]) => fieldOf(name, recordOf(property), required.has(name)));
}

/**
 * The form's values as the operation's parameters: empty inputs left out (the schema's defaults apply), and what was
 * typed as JSON parsed (left as typed when it is not JSON, for the API to say what it wants instead).
 */
export function parameterValues(schema: unknown, values: Record<string, unknown>): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(propertiesOf(schema))) {
    const value = values[name];
    if (value === undefined || value === null || value === '') continue;
    parameters[name] = typeof value === 'string' && !isPlainProperty(recordOf(property)) ? parsedOrText(value) : value;
  }
  return parameters;
}

function fieldOf(name: string, property: Record<string, unknown>, isRequired: boolean): FormFieldSchema {
  const description = typeof property.description === 'string' ? property.description : undefined;
  const common = {
    name,
    label: typeof property.title === 'string' ? property.title : titleOf(name),
    isRequired,
    helperText: description,
    validate: isRequired ? [{ type: 'required' } satisfies ValidationRule] : undefined,
  };
  const initialValue = isScalar(property.default) ? property.default : undefined;
  const choices = stringsOf(property.enum);
  if (choices.length > 0) return { ...common, component: 'select', options: choices.map((choice) => ({ label: choice, value: choice })), initialValue };
  switch (property.type) {
    case 'boolean':
      // Unticked is false, sent as such, rather than a missing value a required boolean would be refused for.
      return { ...common, component: 'checkbox', isRequired: false, validate: undefined, initialValue: initialValue ?? false };
    case 'number':
    case 'integer':
      return { ...common, component: 'text-field', type: 'number', initialValue };
    case 'string': {
      const pattern = typeof property.pattern === 'string' ? [{ type: 'pattern', pattern: property.pattern } satisfies ValidationRule] : [];
      const validate = [...(common.validate ?? []), ...pattern];
      return { ...common, component: 'text-field', validate: validate.length > 0 ? validate : undefined, initialValue };
    }
    default:
      return { ...common, component: 'textarea', helperText: description ? `${description} (${AS_JSON})` : AS_JSON };
  }
}

/** Whether a property has an input of its own (its value needs no parsing). */
function isPlainProperty(property: Record<string, unknown>): boolean {
  return stringsOf(property.enum).length > 0 || ['boolean', 'number', 'integer', 'string'].includes(String(property.type));
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function propertiesOf(schema: unknown): Record<string, unknown> {
  return recordOf(recordOf(schema).properties);
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
