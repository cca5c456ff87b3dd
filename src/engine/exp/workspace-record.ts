/**
 * The workspace as a baseline row of `exp show`: its declared params and metrics, like an experiment.
 *
 * Owns: building that pseudo-record. Returns undefined when the workspace has no metrics yet (nothing
 * to compare). Does not own: the table (exp-table.ts).
 */
import type { PipelineSpec } from '../model/spec.js';
import { declaredMetrics, declaredParams } from '../report/declared-files.js';
import { loadFileValues } from '../report/load-values.js';
import type { FileValues } from '../report/diff-values.js';

export interface BaselineRecord {
  name: string;
  status: string;
  overrides: Record<string, unknown>;
  params: Record<string, Record<string, unknown>>;
  metrics: Record<string, Record<string, unknown> | null>;
}

export async function workspaceRecord(root: string, spec: PipelineSpec): Promise<BaselineRecord | undefined> {
  const metrics = await loadFileValues(
    root,
    { kind: 'workspace' },
    declaredMetrics(spec).map((path) => ({ path, keys: [] })),
  );
  if (!metrics.ok || [...metrics.value.values()].every((v) => v === undefined)) return undefined;
  const params = await loadFileValues(root, { kind: 'workspace' }, declaredParams(spec));
  return {
    name: 'workspace',
    status: 'workspace',
    overrides: {},
    params: params.ok ? (toObject(params.value) as Record<string, Record<string, unknown>>) : {},
    metrics: toObject(metrics.value),
  };
}

function toObject(values: FileValues): Record<string, Record<string, unknown> | null> {
  const out: Record<string, Record<string, unknown> | null> = {};
  for (const [file, flat] of values) out[file] = flat ? Object.fromEntries(flat) : null;
  return out;
}
