import type { ReactNode } from 'react';

export interface TabItem {
  id: string;
  label: ReactNode;
}

/** A row of tabs (ARIA tablist); the caller shows the chosen tab's panel. */
export function Tabs({ items, selected, onSelect, label }: { items: TabItem[]; selected: string; onSelect: (id: string) => void; label: string }) {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="tab"
          id={`tab-${item.id}`}
          aria-selected={item.id === selected}
          className={item.id === selected ? 'tab tab-selected' : 'tab'}
          onClick={() => onSelect(item.id)}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
