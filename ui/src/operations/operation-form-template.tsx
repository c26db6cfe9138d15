import { useFormApi } from '@data-driven-forms/react-form-renderer';
// The package's root does not re-export the template's props type.
import type { FormTemplateRenderProps } from '@data-driven-forms/react-form-renderer/common-types';

export interface OperationFormTemplateProps extends FormTemplateRenderProps {
  /** The operation's title, on its submit button (`Resize`). */
  title: string;
  /** What the form is about, for assistive technology (`Resize VM web-1`). */
  label: string;
  /** While the request is on its way, or a confirmation is asked: no second submit. */
  busy: boolean;
  onClose: () => void;
}

/** An operation's parameters around the rendered fields, with its button and Close. */
export function OperationFormTemplate({ formFields, title, label, busy, onClose }: OperationFormTemplateProps) {
  const form = useFormApi();
  return (
    <form
      className="operation-form"
      aria-label={label}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void form.handleSubmit();
      }}
    >
      {formFields}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>{title}</button>
        <button type="button" className="link-button" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}
