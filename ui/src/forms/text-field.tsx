import { useFieldApi } from '@data-driven-forms/react-form-renderer';
import { FieldShell } from './field-shell';
import { inputId, shownError, type FieldProps } from './field-props';

/** text-field: a one-line input; type "number" keeps the value a number, as the provider type's schema wants. */
export function TextField(props: FieldProps) {
  const { input, meta } = useFieldApi({ ...props, ...(props.type === 'number' ? { dataType: 'number' as const } : {}) });
  const id = inputId(props.name);
  const error = shownError(meta);
  return (
    <FieldShell id={id} label={props.label} isRequired={props.isRequired} helperText={props.helperText} error={error}>
      <input
        {...input}
        value={input.value ?? ''}
        id={id}
        type={props.type ?? 'text'}
        required={props.isRequired}
        aria-invalid={error !== undefined}
        autoComplete={props.type === 'password' ? 'new-password' : 'off'}
      />
    </FieldShell>
  );
}
