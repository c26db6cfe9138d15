import { useFieldApi } from '@data-driven-forms/react-form-renderer';
import { useState } from 'react';
import { FieldShell } from './field-shell';
import { inputId, shownError, type FieldProps } from './field-props';

/**
 * textarea: several lines of text (a certificate, a kubeconfig), or with valueType "lines" a list, one item a line
 * (namespaces), which the form holds as the array the provider type's schema wants.
 */
export function TextareaField(props: FieldProps) {
  return props.valueType === 'lines' ? <LinesTextarea {...props} /> : <TextTextarea {...props} />;
}

function TextTextarea(props: FieldProps) {
  const { input, meta } = useFieldApi(props);
  const id = inputId(props.name);
  const error = shownError(meta);
  return (
    <FieldShell id={id} label={props.label} isRequired={props.isRequired} helperText={props.helperText} error={error}>
      <textarea {...input} value={input.value ?? ''} id={id} rows={5} required={props.isRequired} aria-invalid={error !== undefined} />
    </FieldShell>
  );
}

/**
 * The text is kept as typed (a line being started must not vanish on the next keystroke) while the form's value is
 * its list of lines; a value set from outside (the stored one, a reset) replaces the text.
 */
function LinesTextarea(props: FieldProps) {
  const { input, meta } = useFieldApi(props);
  const value = listOf(input.value);
  const [text, setText] = useState(() => value.join('\n'));
  const shown = sameList(linesOf(text), value) ? text : value.join('\n');
  const id = inputId(props.name);
  const error = shownError(meta);
  return (
    <FieldShell id={id} label={props.label} isRequired={props.isRequired} helperText={props.helperText} error={error}>
      <textarea
        name={input.name} value={shown} id={id} rows={5} required={props.isRequired} aria-invalid={error !== undefined}
        onFocus={input.onFocus} onBlur={input.onBlur}
        onChange={(event) => {
          setText(event.target.value);
          input.onChange(linesOf(event.target.value));
        }}
      />
    </FieldShell>
  );
}

/** The non-blank lines of a text, trimmed. */
export function linesOf(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
