/**
 * The subset of a data-driven-forms schema (the format ManageIQ's UI renders with
 * @data-driven-forms/react-form-renderer) that provider types use for their add-provider form.
 */
export interface FormField {
  component: 'text-field' | 'select' | 'switch' | 'checkbox' | 'sub-form' | 'textarea';
  name: string;
  label?: string;
  type?: 'text' | 'password' | 'number' | 'url';
  isRequired?: boolean;
  helperText?: string;
  initialValue?: string | number | boolean;
  options?: { label: string; value: string }[];
  validate?: ({ type: 'required' } | { type: 'pattern'; pattern: string; message?: string })[];
  fields?: FormField[];
}

export interface FormSchema {
  fields: FormField[];
}
