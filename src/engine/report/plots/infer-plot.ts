/**
 * Deciding how to chart a plot file: its template and fields, from the props declared in
 * pipeline.yaml and otherwise from the file's shape.
 *
 * Owns: the defaults, in this order (first match wins, declared props always override):
 *   - `actual` + `predicted` columns          → confusion (heat map of `count`, or of row counts)
 *   - `fpr` + `tpr`                            → linear, x fpr, y tpr (ROC)
 *   - `recall` + `precision`                   → linear, x recall, y precision (PR)
 *   - an `epoch`, `step` or `iteration` column → linear over it, one small chart per numeric column
 *   - otherwise                                → linear, x the first numeric column, y the other numeric ones
 *   A text column (e.g. `label`) that is neither x nor y groups the series (one line per label); a
 *   confusion matrix gets one panel per combination of all such columns (e.g. label × threshold).
 * Does not own: the Vega-Lite JSON (templates.ts) or reading the file.
 */
import { isNumericColumn, type Table } from './plot-data.js';

/** The chart kinds xpipe draws. */
export type TemplateName = 'linear' | 'scatter' | 'bar' | 'confusion';
export const TEMPLATES: readonly TemplateName[] = ['linear', 'scatter', 'bar', 'confusion'];

/** Per-plot props as declared in pipeline.yaml (`plots: [{path: {x: fpr, y: tpr, template: linear}}]`). */
export interface PlotProps {
  template?: TemplateName;
  x?: string;
  /** One column, or several drawn on one chart (coloured by column name). */
  y?: string | string[];
  title?: string;
  x_label?: string;
  y_label?: string;
  /** Text column that splits the data into series (default: the first text column not used as x/y). */
  group?: string;
}

/** A plot declared by a stage. */
export interface PlotDecl {
  path: string;
  props: PlotProps;
}

/** Everything a template needs, with defaults filled in. */
export interface ResolvedPlot {
  path: string;
  template: TemplateName;
  x: string;
  ys: string[];
  /** True when several ys should be drawn as one small chart each (inferred history files). */
  facetYs: boolean;
  group?: string;
  /** Every text column that is neither x nor y nor the count: confusion matrices get one panel per combination. */
  groups: string[];
  /** Confusion only: the value column (undefined → count rows). */
  count?: string;
  title: string;
  xLabel: string;
  yLabel: string;
}

const has = (t: Table, ...cols: string[]) => cols.every((c) => t.columns.includes(c));

/** Resolves `decl` against the columns of `table` (the union of columns over all revisions). */
export function resolvePlot(decl: PlotDecl, table: Table): ResolvedPlot {
  const p = decl.props;
  const numeric = table.columns.filter((c) => isNumericColumn(table, c));
  const declaredYs = p.y === undefined ? undefined : Array.isArray(p.y) ? p.y : [p.y];
  let template: TemplateName = p.template ?? 'linear';
  let x = p.x,
    ys = declaredYs,
    facetYs = false,
    count: string | undefined;
  let title = p.title;
  if (p.template === 'confusion' || (!p.template && has(table, 'actual', 'predicted'))) {
    template = 'confusion';
    x ??= 'predicted';
    ys ??= ['actual'];
    count = numeric.find((c) => c === 'count' || c === 'n' || c === 'value');
    title ??= 'Confusion matrix';
  } else if (has(table, 'fpr', 'tpr') && !x && !ys) {
    [x, ys, title] = ['fpr', ['tpr'], title ?? 'ROC curve'];
  } else if (has(table, 'recall', 'precision') && !x && !ys) {
    [x, ys, title] = ['recall', ['precision'], title ?? 'Precision-recall curve'];
  }
  const step = table.columns.find((c) => ['epoch', 'step', 'iteration'].includes(c));
  x ??=
    template === 'bar'
      ? (table.columns.find((c) => !isNumericColumn(table, c)) ?? table.columns[0])
      : (step ?? numeric[0] ?? table.columns[0]);
  if (!ys) {
    ys = numeric.filter((c) => c !== x);
    facetYs = ys.length > 1;
    if (x === step && step !== undefined) title ??= 'Training history';
    if (template === 'bar') ys = ys.slice(0, 1);
  }
  const used = new Set([x, ...ys, ...(count ? [count] : [])]);
  const texts = table.columns.filter((c) => !used.has(c) && !isNumericColumn(table, c));
  const group = p.group ?? texts[0];
  const groups = p.group ? [p.group, ...texts.filter((c) => c !== p.group)] : texts;
  return {
    path: decl.path,
    template,
    x: x ?? 'x',
    ys,
    facetYs,
    group,
    groups,
    count,
    title: title ?? decl.path,
    xLabel: p.x_label ?? x ?? 'x',
    yLabel: p.y_label ?? (ys.length === 1 ? ys[0] : 'value'),
  };
}
