import type { FormFieldSchema } from '../api/api-types';

/** What the renderer passes a mapped component: the field's schema entry (name, label, ...). */
export type FieldProps = FormFieldSchema;

/** The id of a field's input, for its label; field names hold dots ("config.endpoint"). */
export function inputId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/** A field's error once the user has been there or tried to submit. */
export function shownError(meta: { touched?: boolean; submitFailed?: boolean; error?: unknown }): string | undefined {
  if (!(meta.touched || meta.submitFailed) || meta.error === undefined || meta.error === null) return undefined;
  return typeof meta.error === 'string' ? meta.error : 'invalid value';
}
