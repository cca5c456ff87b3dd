/**
 * The params, metrics and plot files a pipeline declares, as the report commands need them.
 *
 * Owns: the adapter from the engine's PipelineSpec / pipeline.lock to file selections and plot
 * declarations, and the validation of plot props (an unknown template is a diagnostic naming the stage).
 * Does not own: loading pipeline.yaml (config/load-spec.ts). The workspace's pipeline.yaml decides
 * which files are compared, also when reading older revisions.
 */
import type { Diagnostic } from '../model/diagnostic.js';
import type { PipelineSpec } from '../model/spec.js';
import type { LockFile } from '../lock/lockfile.js';
import { err, ok, type Result } from '../model/result.js';
import { flatten, type FlatValues, type Scalar } from './flatten.js';
import type { FileValues } from './diff-values.js';
import type { FileSelection } from './load-values.js';
import { TEMPLATES, type PlotDecl, type TemplateName } from './plots/infer-plot.js';

/** Params files with the declared keys, merged over stages (a whole-file declaration keeps all keys). */
export function declaredParams(spec: PipelineSpec): FileSelection[] {
  const byFile = new Map<string, Set<string>>();
  for (const stage of spec.stages) {
    for (const p of stage.params) {
      const keys = byFile.get(p.file) ?? new Set<string>();
      keys.add(p.key);
      byFile.set(p.file, keys);
    }
  }
  return [...byFile].sort(([a], [b]) => a.localeCompare(b)).map(([path, keys]) => ({ path, keys: [...keys].sort() }));
}

/** Metrics files, in stage then declaration order. */
export function declaredMetrics(spec: PipelineSpec): string[] {
  return [
    ...new Set(spec.stages.flatMap((s) => s.outs.filter((o) => o.kind === 'metric').map((o) => o.path as string))),
  ];
}

/** Plot declarations with validated props. */
export function declaredPlots(spec: PipelineSpec): Result<PlotDecl[], Diagnostic[]> {
  const out: PlotDecl[] = [];
  const problems: Diagnostic[] = [];
  for (const stage of spec.stages) {
    for (const o of stage.outs.filter((x) => x.kind === 'plot')) {
      const props = { ...(o.plot ?? {}) };
      if (props.template !== undefined && !TEMPLATES.includes(props.template as TemplateName)) {
        problems.push({
          code: 'wrong-type',
          message: `Unknown plot template "${props.template}" for ${o.declared} in stage ${stage.name} (pipeline.yaml); use one of ${TEMPLATES.join(', ')}.`,
          ...(o.location ? { location: o.location } : {}),
        });
        continue;
      }
      out.push({ path: o.path, props: { ...props, template: props.template as TemplateName | undefined } });
    }
  }
  return problems.length > 0 ? err(problems) : ok(out);
}

/** The param values the last repro of each stage used (pipeline.lock), flattened per params file. */
export function lockedParamValues(lock: LockFile): FileValues {
  const out: FileValues = new Map();
  for (const entry of Object.values(lock.stages)) {
    for (const [file, values] of Object.entries(entry.params ?? {})) {
      const flat: FlatValues = out.get(file) ?? new Map<string, Scalar | Scalar[]>();
      for (const [key, value] of Object.entries(values)) for (const [k, v] of flatten(value, key)) flat.set(k, v);
      out.set(file, flat);
    }
  }
  return out;
}
