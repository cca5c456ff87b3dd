/**
 * `plots show` / `plots diff` as one call: collect the charts, compile them, write the HTML report.
 *
 * Owns: the sequence collect → compile → render → atomic write, and the report's title.
 * Does not own: PNG output (the CLI does it with sharp from the returned compiled specs).
 */
import path from 'node:path';
import { writeFileAtomicSync } from '../../../shared/atomic.js';
import { sourceLabel } from '../load-values.js';
import { collectReport, type CollectInput } from './collect-plots.js';
import { compileToVega } from './compile-chart.js';
import { renderHtmlReport, type CompiledItem, type HtmlReportInput } from './html-report.js';

export interface BuiltReport {
  /** Absolute path of the written HTML file. */
  file: string;
  items: CompiledItem[];
  problems: string[];
}

/** Builds the report and writes it to `out` (project-relative or absolute). */
export async function buildPlotsReport(
  input: CollectInput & { out: string; now?: Date; tables?: HtmlReportInput['tables'] },
): Promise<BuiltReport> {
  const { items, problems } = await collectReport(input);
  const compiled: CompiledItem[] = [];
  for (const item of items) {
    if (item.kind === 'image') compiled.push(item);
    else compiled.push({ ...item, vega: await compileToVega(item.spec) });
  }
  const labels = input.sources.map(sourceLabel);
  const html = renderHtmlReport({
    title: labels.length > 1 ? `xpipe plots diff: ${labels.join(' vs ')}` : `xpipe plots: ${labels[0] ?? 'workspace'}`,
    sources: labels,
    items: compiled,
    problems,
    generatedAt: (input.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z'),
    ...(input.tables ? { tables: input.tables } : {}),
  });
  const file = path.resolve(input.root, input.out);
  writeFileAtomicSync(file, html);
  return { file, items: compiled, problems };
}
