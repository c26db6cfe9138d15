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
  /**
   * What a textarea's value is: its text (the default), or `lines`, a list of strings, one a line, blank lines left
   * out, for a setting the type's schema wants as an array (a list of namespaces).
   */
  valueType?: 'text' | 'lines';
  options?: { label: string; value: string }[];
  validate?: ({ type: 'required' } | { type: 'pattern'; pattern: string; message?: string })[];
  fields?: FormField[];
}

export interface FormSchema {
  fields: FormField[];
}
