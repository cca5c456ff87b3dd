/**
 * Printing a params/metrics comparison in the chosen format (text, `--md`, `--json`), errors included.
 *
 * Owns: the output of `params diff` and `metrics diff`. Does not own: table layout (report-table.ts).
 */
import type { Result } from '../../engine/index.js';
import type { Comparison } from '../../engine/index.js';
import type { ParsedArgs } from '../args.js';
import type { CommandIO, ExitCode } from '../commands/types.js';
import { renderTable, type TableFormat } from './report-table.js';
import { diffJson, diffTable } from './report-views.js';

/** Chosen table format from `--md` / `--csv` (JSON is handled by each caller). */
export function tableFormat(args: ParsedArgs): TableFormat {
  return args.options['md'] ? 'md' : args.options['csv'] ? 'csv' : 'text';
}

/** Prints `r`; returns 0, or 2 with one paragraph per problem on stderr. */
export function printComparison(
  r: Result<Comparison, string[]>,
  keyTitle: 'Param' | 'Metric',
  args: ParsedArgs,
  io: CommandIO,
): ExitCode {
  if (!r.ok) {
    for (const e of r.error) io.stderr.write(`error: ${e}\n`);
    return 2;
  }
  const { rows, labels, note } = r.value;
  if (args.options['json']) {
    io.stdout.write(`${JSON.stringify({ ...(diffJson(rows, labels) as object), ...(note ? { note } : {}) })}\n`);
    return 0;
  }
  if (note) io.stderr.write(`note: ${note}\n`);
  if (rows.length === 0) {
    io.stdout.write(`No ${keyTitle === 'Param' ? 'param' : 'metric'} changes between ${labels[0]} and ${labels[1]}.\n`);
    return 0;
  }
  io.stdout.write(`${renderTable(diffTable(rows, keyTitle, labels), tableFormat(args))}\n`);
  return 0;
}
