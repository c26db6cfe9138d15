import { useFormApi } from '@data-driven-forms/react-form-renderer';
import type { FieldProps } from './field-props';

/** sub-form: a titled group of fields, rendered by the form renderer itself. */
export function SubForm(props: FieldProps & { title?: string; description?: string }) {
  const { renderForm } = useFormApi();
  return (
    <fieldset className="sub-form">
      {props.title ?? props.label ? <legend>{props.title ?? props.label}</legend> : null}
      {props.description ? <p className="muted">{props.description}</p> : null}
      {renderForm(props.fields ?? [])}
    </fieldset>
  );
}
