/**
 * Vega-Lite specs for the four plot templates (linear, scatter, bar, confusion), with revisions
 * overlaid in diff mode.
 *
 * Owns: turning a ResolvedPlot + rows into one self-contained Vega-Lite spec (data inline).
 * Does not own: reading files, choosing fields (infer-plot.ts), compiling or rendering.
 *
 * Every row carries `rev` (the revision it came from) and `__row` (its line in the file, so curves
 * such as ROC keep the file's point order). Diff mode (several revisions): colour = revision; series
 * that were coloured by group (e.g. one ROC per label) get one small chart per group instead.
 */
import type { Row } from './plot-data.js';
import type { ResolvedPlot } from './infer-plot.js';

/** A Vega-Lite spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** One data point with its revision and row index. */
export type RevRow = Row & { rev: string; __row: number };

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SMALL = { width: 200, height: 150 };
const LARGE = { width: 420, height: 280 };

/** The spec for `plot` over `rows` from `revs` (in display order). */
export function buildSpec(plot: ResolvedPlot, rows: RevRow[], revs: string[]): VegaLiteSpec {
  const base = { $schema: SCHEMA, title: titleOf(plot, revs), data: { values: rows }, config: CONFIG };
  switch (plot.template) {
    case 'confusion':
      return { ...base, ...confusion(plot, rows, revs) };
    case 'bar':
      return { ...base, ...bar(plot, revs) };
    case 'linear':
    case 'scatter':
      return { ...base, ...lines(plot, revs) };
  }
}

const CONFIG = {
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
};

function titleOf(plot: ResolvedPlot, revs: string[]): Record<string, unknown> {
  const subtitle = revs.length > 1 ? `${plot.path} · ${revs.join(' vs ')}` : `${plot.path} · ${revs[0] ?? ''}`;
  return { text: plot.title, subtitle };
}

const revColor = (revs: string[]) => ({ field: 'rev', type: 'nominal', title: 'revision', sort: revs });

function lines(plot: ResolvedPlot, revs: string[]): VegaLiteSpec {
  const multiRev = revs.length > 1;
  const mark =
    plot.template === 'scatter'
      ? { type: 'point', filled: true, tooltip: { content: 'data' } }
      : { type: 'line', tooltip: { content: 'data' }, interpolate: 'linear' };
  const x = { field: plot.x, type: 'quantitative', title: plot.xLabel, scale: { zero: false } };
  const folded = plot.ys.length > 1;
  const transform = folded ? [{ fold: plot.ys, as: ['series', '__value'] }] : [];
  const y = {
    field: folded ? '__value' : plot.ys[0],
    type: 'quantitative',
    title: plot.facetYs ? null : plot.yLabel,
    scale: { zero: false },
  };
  const order = { field: '__row', type: 'quantitative' };
  const detail = plot.group ? { detail: { field: plot.group } } : {};
  if (plot.facetYs) {
    // One small chart per column (e.g. loss, val_auc, lr of a training history), each with its own y scale.
    const color = multiRev
      ? revColor(revs)
      : plot.group
        ? { field: plot.group, type: 'nominal' }
        : { value: '#4c78a8' };
    return {
      transform,
      facet: { field: 'series', type: 'nominal', title: null, sort: plot.ys },
      columns: 3,
      resolve: { scale: { y: 'independent' } },
      spec: { ...SMALL, mark, encoding: { x, y, color, order, ...detail } },
    };
  }
  if (plot.group && multiRev) {
    return {
      transform,
      facet: { field: plot.group, type: 'nominal', title: null },
      columns: 4,
      spec: {
        ...SMALL,
        mark,
        encoding: { x, y, color: revColor(revs), order, ...(folded ? { strokeDash: { field: 'series' } } : {}) },
      },
    };
  }
  const color = plot.group
    ? { field: plot.group, type: 'nominal' }
    : folded
      ? { field: 'series', type: 'nominal', title: null }
      : multiRev
        ? revColor(revs)
        : { value: '#4c78a8' };
  const dash =
    multiRev && (plot.group || folded)
      ? { strokeDash: { field: 'rev', type: 'nominal', title: 'revision', sort: revs } }
      : {};
  return {
    ...LARGE,
    transform,
    // Drag to pan, scroll to zoom; double-click resets.
    params: [{ name: 'zoom', select: 'interval', bind: 'scales' }],
    mark,
    encoding: {
      x,
      y,
      color,
      order,
      ...dash,
      ...(plot.group ? {} : folded || !multiRev ? {} : { detail: { field: 'rev' } }),
    },
  };
}

function bar(plot: ResolvedPlot, revs: string[]): VegaLiteSpec {
  const multiRev = revs.length > 1;
  const x = { field: plot.x, type: 'nominal', title: plot.xLabel, sort: null, axis: { labelAngle: -40 } };
  const y = { field: plot.ys[0], type: 'quantitative', title: plot.yLabel };
  const color = multiRev ? revColor(revs) : plot.group ? { field: plot.group, type: 'nominal' } : { value: '#4c78a8' };
  return {
    width: { step: multiRev ? 14 * revs.length : 22 },
    height: 240,
    mark: { type: 'bar', tooltip: { content: 'data' } },
    encoding: { x, y, color, ...(multiRev ? { xOffset: { field: 'rev', sort: revs } } : {}) },
  };
}

function confusion(plot: ResolvedPlot, rows: RevRow[], revs: string[]): VegaLiteSpec {
  const multiRev = revs.length > 1;
  const yField = plot.ys[0] ?? 'actual';
  const value = plot.count
    ? { field: plot.count, aggregate: 'sum', type: 'quantitative', title: 'count' }
    : { aggregate: 'count', type: 'quantitative', title: 'count' };
  const layer = [
    {
      mark: { type: 'rect', tooltip: { content: 'data' } },
      encoding: { color: { ...value, scale: { scheme: 'blues' } } },
    },
    { mark: { type: 'text', fontSize: 12 }, encoding: { text: value } },
  ];
  const encoding = {
    x: { field: plot.x, type: 'ordinal', title: plot.xLabel },
    y: { field: yField, type: 'ordinal', title: plot.yLabel },
  };
  const dims = [...plot.groups, ...(multiRev ? ['rev'] : [])];
  const panels = orderedPanels(rows, dims, revs);
  if (panels.length <= 1) return { width: 160, height: 160, encoding, layer };
  for (const r of rows) (r as Record<string, unknown>)['panel'] = panelOf(r, dims);
  // One row per value of the first dimension (e.g. label), one column per combination of the others (threshold × revision).
  const distinct = (d: string) => new Set(rows.map((r) => String(r[d]))).size;
  const perRow = dims.length > 1 ? dims.slice(1).reduce((n, d) => n * distinct(d), 1) : 4;
  return {
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: Math.min(Math.max(perRow, 1), 6),
    resolve: { scale: { color: 'independent' } },
    spec: { width: 110, height: 110, encoding, layer },
  };
}

function panelOf(r: RevRow, dims: string[]): string {
  return dims.map((d) => String(r[d] ?? '')).join(' · ');
}

/** Panels in first-seen order per dimension, the revision varying fastest. */
function orderedPanels(rows: RevRow[], dims: string[], revs: string[]): string[] {
  const orders = dims.map((d) => (d === 'rev' ? revs : [...new Set(rows.map((r) => String(r[d] ?? '')))]));
  const seen = [...new Set(rows.map((r) => panelOf(r, dims)))];
  const key = (panel: string) => panel.split(' · ').map((v, i) => orders[i].indexOf(v));
  return seen.sort((a, b) => {
    const ka = key(a),
      kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
}
