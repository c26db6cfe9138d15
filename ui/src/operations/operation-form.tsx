import { FormRenderer } from '@data-driven-forms/react-form-renderer';
import { useMemo } from 'react';
import type { ProviderOperation } from '../api/api-types';
import { componentMapper } from '../forms/component-mapper';
import { OperationFormTemplate, type OperationFormTemplateProps } from './operation-form-template';
import { parameterFields, parameterValues } from './parameter-fields';

interface OperationFormProps {
  operation: ProviderOperation;
  /** The object it acts on, as people name it (`VM web-1`). */
  objectTitle: string;
  busy: boolean;
  onSubmit: (parameters: Record<string, unknown>) => void;
  onClose: () => void;
}

/**
 * The parameters of an operation that takes some, as a form drawn by the add-provider form's renderer and fields from
 * the operation's JSON schema. It stays on the page until closed or the operation is asked for, so a refused request
 * keeps what was typed.
 */
export function OperationForm({ operation, objectTitle, busy, onSubmit, onClose }: OperationFormProps) {
  const schema = useMemo(() => ({ fields: parameterFields(operation.parameters) }), [operation.parameters]);
  const templateProps: Partial<OperationFormTemplateProps> = { title: operation.title, label: `${operation.title} ${objectTitle}`, busy, onClose };
  return (
    <FormRenderer<Record<string, unknown>, Partial<Record<string, unknown>>, OperationFormTemplateProps>
      schema={schema}
      componentMapper={componentMapper}
      FormTemplate={OperationFormTemplate}
      FormTemplateProps={templateProps}
      onSubmit={(values) => onSubmit(parameterValues(operation.parameters, values))}
    />
  );
}
