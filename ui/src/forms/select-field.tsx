import { useFieldApi } from '@data-driven-forms/react-form-renderer';
import { FieldShell } from './field-shell';
import { inputId, shownError, type FieldProps } from './field-props';

/** select: one of the schema's options (a provider's region, say). */
export function SelectField(props: FieldProps) {
  const { input, meta } = useFieldApi(props);
  const id = inputId(props.name);
  const error = shownError(meta);
  return (
    <FieldShell id={id} label={props.label} isRequired={props.isRequired} helperText={props.helperText} error={error}>
      <select {...input} value={input.value ?? ''} id={id} required={props.isRequired} aria-invalid={error !== undefined}>
        <option value="">Choose…</option>
        {(props.options ?? []).map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
      </select>
    </FieldShell>
  );
}
