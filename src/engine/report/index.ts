/**
 * The report API (`params diff`, `metrics`, `plots`, `dag`): loaded lazily through `loadReports()` of the
 * engine façade, so commands that do not report never load it. Plots (vega) are a further lazy step.
 */
export { compare, revisionSource, type CompareRequest, type Comparison } from './compare.js';
export { declaredMetrics, declaredParams, declaredPlots, lockedParamValues } from './declared-files.js';
export { loadFileValues, type ValueSource, type FileSelection } from './load-values.js';
export type { DiffRow, FileValues } from './diff-values.js';
export { upstreamOf } from './dag-graph.js';
export { buildPlotsReport, type BuiltReport } from './plots/build-report.js';
export { renderSvg } from './plots/compile-chart.js';
