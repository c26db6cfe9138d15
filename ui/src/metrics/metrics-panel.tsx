import { useState } from 'react';
import { ApiError } from '../api/api-error';
import type { MetricsAnswer, MetricsInterval } from '../api/api-types';
import { useApi } from '../api/use-api';
import { ErrorBanner } from '../components/error-banner';
import { formatTime } from '../components/format';
import { Loading } from '../components/loading';
import { Tabs } from '../components/tabs';
import { UtilizationChart } from './utilization-chart';

const INTERVALS: { id: MetricsInterval; label: string }[] = [
  { id: 'realtime', label: 'Realtime' },
  { id: 'hourly', label: 'Hourly' },
  { id: 'daily', label: 'Daily' },
];

/** An object's utilization: realtime samples or hourly and daily averages, read again every 20 s. */
export function MetricsPanel({ collection, objectId }: { collection: string; objectId: string }) {
  const [interval, setShownInterval] = useState<MetricsInterval>('realtime');
  const metrics = useApi(`metrics ${collection} ${objectId} ${interval}`,
    (api) => api.get<MetricsAnswer>('/metrics', { collection, objectId, interval }), { intervalMs: 20_000 });
  const latest = metrics.data?.points[metrics.data.points.length - 1];

  return (
    <section className="card" aria-label="metrics">
      <h2>Utilization</h2>
      <Tabs label="metrics interval" items={INTERVALS} selected={interval} onSelect={(id) => setShownInterval(id as MetricsInterval)} />
      <div role="tabpanel" className="tab-panel">
        {metrics.error instanceof ApiError && metrics.error.status === 400
          ? <p className="muted">No metrics for this object: {metrics.error.message}</p>
          : <ErrorBanner error={metrics.error} title="Metrics could not be loaded" />}
        {!metrics.data && !metrics.error ? <Loading what="metrics" /> : null}
        {metrics.data && metrics.data.points.length === 0
          ? <p className="empty" data-testid="metrics-empty">No {interval} samples yet: the metrics collector captures a few minutes at a time.</p>
          : null}
        {metrics.data && metrics.data.points.length > 0 ? (
          <>
            <UtilizationChart answer={metrics.data} />
            {latest ? (
              <p className="muted" data-testid="metrics-latest">
                {metrics.data.points.length} points, latest {formatTime(latest.timestamp)}:{' '}
                {metrics.data.counters.map((counter) => `${counter} ${latest.values[counter]?.toFixed(1) ?? '—'}`).join(', ')}
              </p>
            ) : null}
          </>
        ) : null}
      </div>
    </section>
  );
}
