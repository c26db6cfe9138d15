import { useFieldApi } from '@data-driven-forms/react-form-renderer';
import { FieldShell } from './field-shell';
import { inputId, shownError, type FieldProps } from './field-props';

/** textarea: several lines of text (a certificate, a kubeconfig). */
export function TextareaField(props: FieldProps) {
  const { input, meta } = useFieldApi(props);
  const id = inputId(props.name);
  const error = shownError(meta);
  return (
    <FieldShell id={id} label={props.label} isRequired={props.isRequired} helperText={props.helperText} error={error}>
      <textarea {...input} value={input.value ?? ''} id={id} rows={5} required={props.isRequired} aria-invalid={error !== undefined} />
    </FieldShell>
  );
}
