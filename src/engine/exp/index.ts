/**
 * The experiments API (`exp run | show | apply | remove`, and the experiment columns of `plots`):
 * loaded lazily through `loadExperiments()` of the engine façade.
 */
export { expandSweep, type Overrides, type SweepArgs } from './sweep.js';
export { runExperiments, type ExpEvent, type ExpRunOptions, type ExpRunError } from './run-exps.js';
export { buildExpTable, type ExpColumn, type ExpRow } from './exp-table.js';
export { expDir, listExps, readExp, removeExp, type ExpRecord } from './exp-store.js';
export { applyExperiment, type ApplyReport } from './apply-exp.js';
export { workspaceRecord, type BaselineRecord } from './workspace-record.js';
