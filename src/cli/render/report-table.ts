/**
 * The one table printer of the report commands (`params diff`, `metrics show/diff`, `exp show`,
 * `predict`): aligned text, GitHub Markdown or CSV from the same header + rows.
 *
 * Owns: cell alignment (numbers right-aligned), Markdown escaping and CSV quoting.
 * Does not own: what goes in the cells (each command's view function decides) or JSON output.
 */

/** A table ready to print: every cell already formatted as text. */
export interface TextTable {
  header: string[];
  rows: string[][];
}

export type TableFormat = 'text' | 'md' | 'csv';

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?%?$/i;

/** Renders `table` in `format`; text output has no trailing spaces. */
export function renderTable(table: TextTable, format: TableFormat = 'text'): string {
  switch (format) {
    case 'csv':
      return [table.header, ...table.rows].map((r) => r.map(csvCell).join(',')).join('\n');
    case 'md': {
      const cell = (s: string) => s.replace(/\|/g, '\\|');
      const align = table.header.map((_, i) => (isNumericColumn(table, i) ? '---:' : '---'));
      return [table.header.map(cell), align, ...table.rows.map((r) => r.map(cell))]
        .map((r) => `| ${r.join(' | ')} |`)
        .join('\n');
    }
    case 'text': {
      const widths = table.header.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
      const line = (r: string[]) =>
        r
          .map((c, i) => (isNumericColumn(table, i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
          .join('  ')
          .trimEnd();
      return [line(table.header), ...table.rows.map(line)].join('\n');
    }
  }
}

function isNumericColumn(table: TextTable, i: number): boolean {
  const cells = table.rows.map((r) => r[i] ?? '').filter((c) => c !== '' && c !== '-');
  return cells.length > 0 && cells.every((c) => NUMERIC.test(c));
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
