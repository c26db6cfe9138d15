import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricsAnswer } from '../api/api-types';

const HEIGHT = 260;
const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2'];

/** The unit a counter is measured in, from its name's suffix: percentages and kB/s get an axis each. */
function unitOf(counter: string): string {
  if (counter.endsWith('_percent')) return '%';
  if (counter.endsWith('_kbps')) return 'kB/s';
  return '';
}

/** The counters of one object over time, one line each (uPlot); a missing sample is a gap, not a zero. */
/** The time between two points of an interval, in seconds. */
const INTERVAL_SECONDS: Record<MetricsAnswer['interval'], number> = { realtime: 20, hourly: 3600, daily: 86_400 };

export function UtilizationChart({ answer }: { answer: MetricsAnswer }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const units = [...new Set(answer.counters.map(unitOf))];
    const data: uPlot.AlignedData = [
      answer.points.map((point) => new Date(point.timestamp).getTime() / 1000),
      ...answer.counters.map((counter) => answer.points.map((point) => point.values[counter] ?? null)),
    ];
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 300),
      height: HEIGHT,
      series: [
        {},
        ...answer.counters.map((counter, index) => ({
          label: answer.titles[counter], scale: unitOf(counter), stroke: COLOURS[index % COLOURS.length], width: 1.5,
          value: (_chart: uPlot, value: number | null) => (value === null ? '—' : `${value.toFixed(1)} ${unitOf(counter)}`),
        })),
      ],
      axes: [
        {},
        ...units.map((unit, index) => ({ scale: unit, side: index === 0 ? 3 : 1, label: unit, grid: { show: index === 0 } })),
      ],
      scales: {
        // uPlot draws one point alone at the start of an axis of years: give it the interval's width on either side.
        x: data[0].length === 1
          ? { time: true, range: (): uPlot.Range.MinMax => [data[0][0] - INTERVAL_SECONDS[answer.interval], data[0][0] + INTERVAL_SECONDS[answer.interval]] }
          : { time: true },
        ...Object.fromEntries(units.map((unit) => [unit, unit === '%' ? { range: [0, 100] as uPlot.Range.MinMax } : {}])),
      },
    };
    const chart = new uPlot(options, data, element);
    // The chart is drawn on a canvas of a fixed size: follow the page's width.
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 300), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [answer]);

  return <div ref={container} className="chart" data-testid="metrics-chart" aria-label={`${answer.interval} utilization chart`} role="img" />;
}
