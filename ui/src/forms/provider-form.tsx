import { FormRenderer } from '@data-driven-forms/react-form-renderer';
import { useMemo, useState } from 'react';
import { asError } from '../api/api-error';
import type { FormFieldSchema, Provider, ProviderType, VerifyResult } from '../api/api-types';
import { useAuth } from '../auth/auth-context';
import { componentMapper } from './component-mapper';
import { editFormFields } from './edit-form-fields';
import { providerBody, providerEdit } from './provider-body';
import { ProviderFormTemplate, type ProviderFormStatus, type ProviderFormTemplateProps } from './provider-form-template';

/** Every provider has a name; the type's form asks for the rest. */
const NAME_FIELD: FormFieldSchema = {
  component: 'text-field', name: 'name', label: 'Name', isRequired: true, validate: [{ type: 'required' }],
  helperText: 'how the fleet calls this provider',
};

const IDLE: ProviderFormStatus = { verifying: false, verifyResult: null, verifyError: null, saving: false, saveError: null };

interface ProviderFormProps {
  providerType: ProviderType;
  /** The saved provider to change; a new provider of the type without. */
  provider?: Provider;
  onSaved: (provider: Provider) => void;
  onCancel: () => void;
}

/**
 * The provider type's own form (a data-driven-forms schema from the API) with a Name, Validate and Save; or, given a
 * saved provider, its edit form (see editFormFields), whose Save sends only what changed (see providerEdit); the API
 * checks changed settings or credentials against the provider before it stores them.
 */
export function ProviderForm({ providerType, provider, onSaved, onCancel }: ProviderFormProps) {
  const { api } = useAuth();
  const [status, setStatus] = useState<ProviderFormStatus>(IDLE);
  const schema = useMemo(
    () => ({ fields: [NAME_FIELD, ...(provider ? editFormFields(providerType.form.fields) : providerType.form.fields)] }),
    [providerType, provider],
  );
  const initialValues = useMemo(() => (provider ? { name: provider.name, config: provider.config } : undefined), [provider]);

  // Each Validate and each Save shows only its own verdict: what an earlier one said (a refused save, say) goes.
  const validate = (values: Record<string, unknown>) => {
    setStatus({ ...IDLE, verifying: true });
    api.post<VerifyResult>('/providers/verify', providerBody(providerType.type, values)).then(
      (verifyResult) => setStatus((current) => ({ ...current, verifying: false, verifyResult })),
      (error: unknown) => setStatus((current) => ({ ...current, verifying: false, verifyError: messageOf(error) })),
    );
  };

  const saveEdit = async (saved: Provider, values: Record<string, unknown>): Promise<Provider> => {
    const edit = providerEdit(saved, values);
    if ('problem' in edit) throw new Error(edit.problem);
    // Nothing changed: nothing to ask of the API (which refuses an empty change).
    if (Object.keys(edit.changes).length === 0) return saved;
    return api.patch<Provider>(`/providers/${encodeURIComponent(saved.id)}`, edit.changes);
  };

  const save = async (values: Record<string, unknown>) => {
    setStatus({ ...IDLE, saving: true });
    try {
      const saved = provider ? await saveEdit(provider, values) : await api.post<Provider>('/providers', providerBody(providerType.type, values));
      setStatus(IDLE);
      onSaved(saved);
    } catch (error: unknown) {
      setStatus((current) => ({ ...current, saving: false, saveError: messageOf(error) }));
    }
  };

  // A saved provider's form has no Validate: its credentials may be left empty (kept), and Save has them verified.
  const templateProps: Partial<ProviderFormTemplateProps> = { status, onValidate: provider ? undefined : validate, onCancel };
  return (
    <FormRenderer<Record<string, unknown>, Partial<Record<string, unknown>>, ProviderFormTemplateProps>
      schema={schema}
      initialValues={initialValues}
      componentMapper={componentMapper}
      FormTemplate={ProviderFormTemplate}
      FormTemplateProps={templateProps}
      onSubmit={save}
    />
  );
}

function messageOf(error: unknown): string {
  return asError(error).message;
}
