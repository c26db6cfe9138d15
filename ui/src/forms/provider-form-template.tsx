import { useFormApi } from '@data-driven-forms/react-form-renderer';
// The package's root does not re-export the template's props type.
import type { FormTemplateRenderProps } from '@data-driven-forms/react-form-renderer/common-types';
import type { VerifyResult } from '../api/api-types';
import { CredentialsVerdict } from '../providers/credentials-verdict';

/** What the add-provider page tells the form's template: the last Validate answer, a failed save, progress. */
export interface ProviderFormStatus {
  verifying: boolean;
  verifyResult: VerifyResult | null;
  /** Validate failed as a request (a 400 naming a field, say), not as an answer about the credentials. */
  verifyError: string | null;
  saving: boolean;
  saveError: string | null;
}

export interface ProviderFormTemplateProps extends FormTemplateRenderProps {
  status: ProviderFormStatus;
  /** Without it, no Validate button. */
  onValidate?: (values: Record<string, unknown>) => void;
  onCancel: () => void;
}

/**
 * A provider's form around the rendered fields: a failed save above them, and Validate (where offered: checks the
 * credentials against the provider without saving) and Save below.
 */
export function ProviderFormTemplate({ formFields, status, onValidate, onCancel }: ProviderFormTemplateProps) {
  const form = useFormApi();
  const validate = () => {
    const state = form.getState();
    // An incomplete form shows its field errors instead of asking the server.
    if (state.invalid) {
      void form.submit();
      return;
    }
    onValidate?.(state.values);
  };
  return (
    <form
      className="provider-form"
      aria-label="provider settings"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void form.handleSubmit();
      }}
    >
      {status.saveError ? <div className="banner banner-error" role="alert" data-testid="save-error">{status.saveError}</div> : null}
      {formFields}
      <div className="form-actions">
        {onValidate ? <button type="button" onClick={validate} disabled={status.verifying}>{status.verifying ? 'Validating…' : 'Validate'}</button> : null}
        <button type="submit" className="primary" disabled={status.saving}>{status.saving ? 'Saving…' : 'Save'}</button>
        <button type="button" className="link-button" onClick={onCancel}>Cancel</button>
      </div>
      <VerifyOutcome status={status} />
    </form>
  );
}

function VerifyOutcome({ status }: { status: ProviderFormStatus }) {
  if (status.verifying) return <p className="muted" data-testid="validate-result">Checking the credentials…</p>;
  if (status.verifyError) return <div className="banner banner-error" role="alert" data-testid="validate-result">{status.verifyError}</div>;
  return status.verifyResult ? <CredentialsVerdict verdict={status.verifyResult} testId="validate-result" /> : null;
}
