import type { ReactNode } from 'react';

interface FieldShellProps {
  id: string;
  label?: string;
  isRequired?: boolean;
  helperText?: string;
  error?: string;
  children: ReactNode;
}

/** A form field's label, help and error around its input. */
export function FieldShell({ id, label, isRequired, helperText, error, children }: FieldShellProps) {
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      {label ? (
        <div className="label-row">
          <label htmlFor={id}>{label}</label>
          {/* Outside the label, so the field's name stays its label; the input says it is required. */}
          {isRequired ? <span className="required" aria-hidden="true">*</span> : null}
        </div>
      ) : null}
      {children}
      {error ? <div className="field-error" id={`${id}-error`} role="alert">{error}</div>
        : helperText ? <div className="field-help" id={`${id}-help`}>{helperText}</div> : null}
    </div>
  );
}
