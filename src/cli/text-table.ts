import Table from 'cli-table3';

/** A table for the terminal with a plain header: cli-table3 colours headers red, the colour of an error. */
export function textTable(head: string[]): Table.Table {
  return new Table({ head, style: { head: [] } });
}
