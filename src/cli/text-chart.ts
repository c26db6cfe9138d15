const BARS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of a series: each column the average of its share of the values, scaled between the series'
 * minimum and maximum (a flat series draws flat, at the bottom).
 */
export function sparkline(values: readonly number[], width: number): string {
  if (values.length === 0) return '';
  const columns = Math.min(width, values.length);
  const averages: number[] = [];
  for (let column = 0; column < columns; column += 1) {
    const slice = values.slice(Math.floor((column * values.length) / columns), Math.floor(((column + 1) * values.length) / columns));
    averages.push(slice.reduce((sum, v) => sum + v, 0) / slice.length);
  }
  const min = Math.min(...averages);
  const span = Math.max(...averages) - min;
  return averages.map((v) => BARS[span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1))]).join('');
}
