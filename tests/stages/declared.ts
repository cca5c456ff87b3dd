// The deps/outs/metrics/plots a stage declares in the project's real pipeline.yaml, for building test
// contexts: a stage test then fails when a stage and pipeline.yaml disagree on a path.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

type Entry = string | Record<string, unknown>;
interface StageYaml {
  deps?: Entry[];
  outs?: Entry[];
  metrics?: Entry[];
  plots?: Entry[];
}

const pipeline = parse(readFileSync(fileURLToPath(new URL('../../pipeline.yaml', import.meta.url)), 'utf8')) as {
  stages: Record<string, StageYaml>;
};

const paths = (list: Entry[] | undefined): string[] =>
  (list ?? []).map((e) => (typeof e === 'string' ? e : Object.keys(e)[0]));

/** `{ name, deps, outs, metrics, plots }` of `stage` as pipeline.yaml declares them. */
export function declaredIn(stage: string): {
  name: string;
  deps: string[];
  outs: string[];
  metrics: string[];
  plots: string[];
} {
  const s = pipeline.stages[stage];
  if (!s) throw new Error(`pipeline.yaml has no stage ${stage}`);
  return { name: stage, deps: paths(s.deps), outs: paths(s.outs), metrics: paths(s.metrics), plots: paths(s.plots) };
}
