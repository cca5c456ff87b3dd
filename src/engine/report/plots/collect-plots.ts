/**
 * Gathering every chart of a report: declared plot files and per-item maps in metrics files, read
 * from one or more sources (workspace, git revisions, experiments) and turned into Vega-Lite specs.
 *
 * Owns: the list of report items and the per-file problems (missing or unparsable at a revision).
 * Does not own: which files are declared (the pipeline spec), writing HTML or PNG.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readBufferAtRevision } from '../git-revision.js';
import { readSourceText, sourceLabel, type ValueSource } from '../load-values.js';
import { findMetricTables } from './metric-plots.js';
import { parsePlotFile, type Table } from './plot-data.js';
import { resolvePlot, type PlotDecl, type ResolvedPlot } from './infer-plot.js';
import { buildSpec, type RevRow, type VegaLiteSpec } from './templates.js';

/** A chart with its Vega-Lite spec. */
export interface ChartItem {
  kind: 'chart';
  /** Stable file-name-safe id, e.g. `plots-roc-csv`; PNGs are written as `<id>.png`. */
  id: string;
  path: string;
  title: string;
  spec: VegaLiteSpec;
}

/** An image plot (e.g. a contact sheet), one image per source. */
export interface ImageItem {
  kind: 'image';
  id: string;
  path: string;
  images: Array<{ rev: string; mime: string; data: Buffer }>;
}

export type ReportItem = ChartItem | ImageItem;

export interface CollectInput {
  root: string;
  sources: ValueSource[];
  plots: PlotDecl[];
  /** Metrics files whose per-item maps become bar charts. */
  metrics: string[];
}

const IMAGE = /\.(png|jpe?g|gif|svg|webp)$/i;
const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  webp: 'image/webp',
};

/** Builds every item; files missing at every source are reported in `problems`, not thrown. */
export async function collectReport(input: CollectInput): Promise<{ items: ReportItem[]; problems: string[] }> {
  const items: ReportItem[] = [];
  const problems: string[] = [];
  const labels = input.sources.map(sourceLabel);
  for (const decl of await expandImageDirs(input.root, input.plots)) {
    if (IMAGE.test(decl.path)) {
      const images = await readImages(input.root, input.sources, decl.path);
      if (images.length === 0)
        problems.push(`${decl.path}: not found in ${labels.join(', ')}; run the stage that writes it.`);
      else items.push({ kind: 'image', id: idOf(decl.path), path: decl.path, images });
      continue;
    }
    const tables: Array<{ rev: string; table: Table }> = [];
    for (const [i, source] of input.sources.entries()) {
      const text = await readSourceText(input.root, source, decl.path);
      if (text === undefined) continue;
      const parsed = parsePlotFile(decl.path, text, `in ${labels[i]}`);
      if (parsed.ok) tables.push({ rev: labels[i], table: parsed.value });
      else problems.push(parsed.error);
    }
    if (tables.length === 0) {
      problems.push(`${decl.path}: not found in ${labels.join(', ')}; run the stage that writes it.`);
      continue;
    }
    const union: Table = {
      columns: [...new Set(tables.flatMap((t) => t.table.columns))],
      rows: tables.flatMap((t) => t.table.rows),
    };
    const plot = resolvePlot(decl, union);
    items.push(chart(plot, tables, decl.path));
  }
  for (const file of input.metrics) items.push(...(await metricCharts(input, file, labels)));
  return { items, problems };
}

function chart(plot: ResolvedPlot, tables: Array<{ rev: string; table: Table }>, id: string): ChartItem {
  const rows: RevRow[] = tables.flatMap(({ rev, table }) => table.rows.map((r, i) => ({ ...r, rev, __row: i })));
  const revs = tables.map((t) => t.rev);
  return { kind: 'chart', id: idOf(id), path: plot.path, title: plot.title, spec: buildSpec(plot, rows, revs) };
}

async function metricCharts(input: CollectInput, file: string, labels: string[]): Promise<ChartItem[]> {
  const byKey = new Map<string, Array<{ rev: string; table: Table; metric: string; itemName?: string }>>();
  for (const [i, source] of input.sources.entries()) {
    const text = await readSourceText(input.root, source, file);
    if (text === undefined) continue;
    let data: unknown;
    try {
      data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    } catch {
      continue;
    } // metrics show reports parse errors
    for (const t of findMetricTables(data)) {
      byKey.set(t.key, [
        ...(byKey.get(t.key) ?? []),
        { rev: labels[i], table: t.table, metric: t.metric, ...(t.itemName ? { itemName: t.itemName } : {}) },
      ]);
    }
  }
  return [...byKey].map(([key, tables]) => {
    const metric = tables[0].metric;
    const decl: PlotDecl = {
      path: file,
      props: {
        template: 'bar',
        x: 'item',
        y: metric,
        title: metricChartTitle(key, metric, tables[0].itemName),
        x_label: '',
      },
    };
    const union: Table = { columns: ['item', metric], rows: tables.flatMap((t) => t.table.rows) };
    return chart(resolvePlot(decl, union), tables, `${file}-${key.replace(/\*/g, 'each')}`);
  });
}

/** `per_label.*.auc` → `auc per label`; `auc` (a map) → `auc per item`. */
function metricChartTitle(key: string, metric: string, itemName?: string): string {
  const parent = itemName ?? (key.includes('.*.') ? key.split('.*.')[0].split('.').pop()! : 'item');
  const noun = parent.replace(/^per_/, '').replace(/_/g, ' ') || 'item';
  return `${metric} per ${singular(noun)}`;
}

/** `labels` → `label`, `classes` → `class`, `categories` → `category`. */
function singular(word: string): string {
  if (/ies$/.test(word)) return word.replace(/ies$/, 'y');
  if (/(s|x|ch|sh)es$/.test(word)) return word.replace(/es$/, '');
  return word.replace(/([^s])s$/, '$1');
}

async function readImages(root: string, sources: ValueSource[], file: string): Promise<ImageItem['images']> {
  const out: ImageItem['images'] = [];
  const mime = MIME[file.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';
  for (const source of sources) {
    const data =
      source.kind === 'revision'
        ? await readBufferAtRevision(root, source.rev.commit, file)
        : await readFile(path.join(source.kind === 'dir' ? source.dir : root, file)).catch(() => undefined);
    if (data) out.push({ rev: sourceLabel(source), mime, data });
  }
  // The same image everywhere (e.g. a preprocessing contact sheet shared by experiments) is shown once.
  if (out.length > 1 && out.every((img) => img.data.equals(out[0].data))) {
    return [{ ...out[0], rev: `same in ${out.map((i) => i.rev).join(', ')}` }];
  }
  return out;
}

/** A declared directory of images (workspace) is expanded into one image plot per file. */
async function expandImageDirs(root: string, plots: PlotDecl[]): Promise<PlotDecl[]> {
  const out: PlotDecl[] = [];
  for (const decl of plots) {
    const info = await stat(path.join(root, decl.path)).catch(() => undefined);
    if (!info?.isDirectory()) {
      out.push(decl);
      continue;
    }
    const files = (await readdir(path.join(root, decl.path))).filter((f) => IMAGE.test(f)).sort();
    out.push(...files.map((f) => ({ path: `${decl.path}/${f}`, props: decl.props })));
  }
  return out;
}

/** File-name-safe id of a path: `plots/roc.csv` → `plots-roc-csv`. */
export function idOf(p: string): string {
  return p.replace(/[^A-Za-z0-9_]+/g, '-').replace(/^-+|-+$/g, '');
}
