/** One series of a metric family: its labels and its samples (seconds -> value), in time order. */
export interface OpenMetricsSeries {
  labels: Readonly<Record<string, string>>;
  samples: ReadonlyMap<number, number>;
}

export interface OpenMetricsFamily {
  /** The family's name; a counter's samples are named with `_total` after it. */
  name: string;
  type: 'counter' | 'gauge';
  series: readonly OpenMetricsSeries[];
}

/**
 * OpenMetrics text of families of series with timestamps, as `promtool tsdb create-blocks-from openmetrics` reads
 * it: each family once, its series one after the other, values written so they read back as the same doubles.
 */
export function openMetricsText(families: readonly OpenMetricsFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# TYPE ${family.name} ${family.type}`);
    const sampleName = family.type === 'counter' ? `${family.name}_total` : family.name;
    for (const { labels, samples } of family.series) {
      const labelText = Object.entries(labels).map(([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
      for (const [t, value] of samples) lines.push(`${sampleName}{${labelText}} ${String(value)} ${t}`);
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
