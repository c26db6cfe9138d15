import type { FormFieldSchema } from '../api/api-types';

/** The API never returns credentials: the edit form shows theirs empty, and empty means "keep them". */
const KEEP_CREDENTIALS = 'leave every credential empty to keep the stored ones; to change them, enter them all';

/**
 * A provider type's add-provider fields as the edit form shows them: without the region (a provider stays in its
 * region), credentials optional, and no field's default over the stored value.
 */
export function editFormFields(fields: readonly FormFieldSchema[]): FormFieldSchema[] {
  return fields.filter((field) => field.name !== 'region').map((field) => {
    const { initialValue: _default, ...shown } = field;
    if (field.fields) return { ...shown, fields: editFormFields(field.fields) };
    if (!field.name.startsWith('credentials.')) return shown;
    return { ...shown, isRequired: false, helperText: KEEP_CREDENTIALS, validate: field.validate?.filter((rule) => rule.type !== 'required') };
  });
}
