/**
 * Expands `foreach`/`do` and `matrix` stages into concrete stages, and interpolates `${}` everywhere.
 * Owns: naming (`base@key`), the `item`/`key` variables and the cartesian product of a matrix.
 * Does not own: validating the fields of the result (validate.ts).
 */
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { YamlFile } from './yaml-file.js';
import { interpolate } from './interpolate.js';

/** A stage definition after expansion, with the YAML path its fields live under (for locations). */
export interface ExpandedStage {
  name: string;
  def: Record<string, unknown>;
  /** e.g. ['stages', 'train'] or ['stages', 'train', 'do']. */
  basePath: (string | number)[];
}

type Vars = Record<string, unknown>;

/** Expands one raw stage entry of pipeline.yaml. `params` are the root params.yaml values. */
export function expandStage(
  file: YamlFile,
  name: string,
  raw: Record<string, unknown>,
  params: Vars,
): Result<ExpandedStage[], Diagnostic> {
  const base: (string | number)[] = ['stages', name];
  const bad = (path: (string | number)[], message: string): Result<never, Diagnostic> =>
    err({
      code: 'bad-interpolation',
      message: `${message} (stage "${name}").`,
      location: file.locate([...base, ...path]),
    });
  const interp = (v: unknown, vars: Vars, path: (string | number)[]): Result<unknown, Diagnostic> => {
    const r = interpolate(v, vars, path);
    return r.ok ? r : bad(r.error.path, r.error.message);
  };

  if ('foreach' in raw) {
    const extra = Object.keys(raw).filter((k) => k !== 'foreach' && k !== 'do');
    if (extra.length > 0) {
      return err({
        code: 'unknown-field',
        message: `Stage "${name}" uses foreach, so its fields belong under "do:"; move "${extra[0]}" there.`,
        location: file.locate([...base, extra[0] ?? ''], { key: true }),
      });
    }
    const doDef = raw['do'];
    if (doDef === null || typeof doDef !== 'object' || Array.isArray(doDef)) {
      return err({
        code: 'missing-field',
        message: `Stage "${name}" uses foreach but has no "do:" map; add "do:" with the stage fields to repeat.`,
        location: file.locate(base, { key: true }),
      });
    }
    const items = interp(raw['foreach'], params, ['foreach']);
    if (!items.ok) return items;
    const entries = foreachEntries(items.value);
    if (!entries) return bad(['foreach'], 'foreach must be a list or a map (or ${...} naming one in params.yaml)');
    const out: ExpandedStage[] = [];
    for (const [key, item] of entries) {
      const def = interp(doDef, { ...params, item, key }, ['do']);
      if (!def.ok) return def;
      out.push({ name: `${name}@${key}`, def: def.value as Record<string, unknown>, basePath: [...base, 'do'] });
    }
    return ok(out);
  }

  if ('matrix' in raw) {
    const m = interp(raw['matrix'], params, ['matrix']);
    if (!m.ok) return m;
    const matrix = m.value;
    if (matrix === null || typeof matrix !== 'object' || Array.isArray(matrix))
      return bad(['matrix'], 'matrix must be a map of name: [values]');
    for (const [k, v] of Object.entries(matrix))
      if (!Array.isArray(v) || v.length === 0) return bad(['matrix', k], `matrix.${k} must be a non-empty list`);
    const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'matrix'));
    const out: ExpandedStage[] = [];
    for (const combo of cartesian(matrix as Record<string, unknown[]>)) {
      const key = Object.values(combo).map(keyOf).join('-');
      const def = interp(rest, { ...params, item: combo, key }, []);
      if (!def.ok) return def;
      out.push({ name: `${name}@${key}`, def: def.value as Record<string, unknown>, basePath: base });
    }
    return ok(out);
  }

  const def = interp(raw, params, []);
  if (!def.ok) return def;
  return ok([{ name, def: def.value as Record<string, unknown>, basePath: base }]);
}

function keyOf(v: unknown): string {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function foreachEntries(v: unknown): [string, unknown][] | undefined {
  if (Array.isArray(v)) {
    return v.map((item, i) => [item !== null && typeof item === 'object' ? String(i) : String(item), item]);
  }
  if (v !== null && typeof v === 'object') return Object.entries(v);
  return undefined;
}

function cartesian(matrix: Record<string, unknown[]>): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(matrix)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  }
  return combos;
}
