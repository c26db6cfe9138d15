import { useFieldApi } from '@data-driven-forms/react-form-renderer';
import { inputId, shownError, type FieldProps } from './field-props';

/** checkbox and switch: a yes/no setting; a switch is the same input, announced as a switch. */
export function CheckboxField(props: FieldProps & { asSwitch?: boolean }) {
  const { asSwitch, ...field } = props;
  const { input, meta } = useFieldApi({ ...field, type: 'checkbox' });
  const id = inputId(field.name);
  const error = shownError(meta);
  return (
    <div className={error ? 'field field-check field-invalid' : 'field field-check'}>
      <label htmlFor={id}>
        <input {...input} id={id} type="checkbox" role={asSwitch ? 'switch' : undefined} aria-invalid={error !== undefined} />
        {' '}{field.label}
      </label>
      {error ? <div className="field-error" role="alert">{error}</div>
        : field.helperText ? <div className="field-help">{field.helperText}</div> : null}
    </div>
  );
}

export function SwitchField(props: FieldProps) {
  return <CheckboxField {...props} asSwitch />;
}
