import { useState, type FormEvent } from 'react';
import type { InventoryField } from '../api/api-types';
import { titleOf } from '../components/format';

export interface FieldFilter {
  field: string;
  value: string;
}

/** "field = value" on one filterable field of a collection, as the list's equality filter. */
export function ColumnFilter({ fields, filter, onChange }: { fields: InventoryField[]; filter: FieldFilter | null; onChange: (filter: FieldFilter | null) => void }) {
  const [field, setField] = useState(filter?.field ?? fields[0]?.name ?? '');
  const [value, setValue] = useState(filter?.value ?? '');
  if (fields.length === 0) return null;
  const apply = (event: FormEvent) => {
    event.preventDefault();
    onChange(field && value.trim() !== '' ? { field, value: value.trim() } : null);
  };
  return (
    <form className="column-filter" onSubmit={apply} aria-label="column filter">
      <select aria-label="filter field" value={field} onChange={(event) => setField(event.target.value)}>
        {fields.map((candidate) => <option key={candidate.name} value={candidate.name}>{titleOf(candidate.name)}</option>)}
      </select>
      <span aria-hidden="true">=</span>
      <input aria-label="filter value" value={value} onChange={(event) => setValue(event.target.value)} placeholder="value" />
      <button type="submit">Filter</button>
      {filter ? <button type="button" className="link-button" onClick={() => { setValue(''); onChange(null); }}>Clear</button> : null}
    </form>
  );
}
