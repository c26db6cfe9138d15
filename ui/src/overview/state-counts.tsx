import { StateBadge } from '../components/state-badge';

/** "700 running · 300 stopped": a collection's objects per state, the most common first. */
export function StateCounts({ states }: { states: Record<string, number> }) {
  const entries = Object.entries(states).sort(([, a], [, b]) => b - a);
  if (entries.length === 0) return null;
  return (
    <span className="state-counts">
      {entries.map(([state, count]) => (
        <span key={state} className="state-count">{count.toLocaleString()} <StateBadge state={state} /></span>
      ))}
    </span>
  );
}
