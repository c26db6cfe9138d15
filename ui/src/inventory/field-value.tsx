import { formatValue, NOTHING } from '../components/format';
import { isStateField, StateBadge } from '../components/state-badge';

/** A field's value as text, a state as a coloured badge, a JSON document folded. */
export function FieldValue({ name, value, type }: { name: string; value: unknown; type: string | undefined }) {
  if (typeof value === 'string' && isStateField(name)) return <StateBadge state={value} />;
  if (value !== null && typeof value === 'object') return <FoldedJson value={value} />;
  return <>{formatValue(value, type)}</>;
}

/** A JSON document folded to one line that says what it holds; opened, indented. */
function FoldedJson({ value }: { value: object }) {
  const size = Array.isArray(value) ? value.length : Object.keys(value).length;
  if (size === 0) return <>{NOTHING}</>;
  const summary = Array.isArray(value) ? `${size} item${size === 1 ? '' : 's'}` : Object.keys(value).slice(0, 4).join(', ') + (size > 4 ? ', …' : '');
  return (
    <details className="json-field">
      <summary>{summary}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
