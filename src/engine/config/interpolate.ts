/**
 * `${...}` interpolation: `${item}`, `${key}`, `${item.lr}` inside foreach/matrix, `${section.key}` from params.yaml.
 * Owns: resolving expressions in strings. Does not own: where variables come from (expand.ts).
 * A string that is exactly one `${expr}` takes the value's type (so `foreach: ${sweep.lrs}` gives a list).
 */
import { err, ok, type Result } from '../model/result.js';

/** Where in the value an expression failed, and why. */
export interface InterpolationError {
  path: (string | number)[];
  message: string;
}

const EXPR = /\$\{\s*([^}]*?)\s*\}/g;
const WHOLE = /^\$\{\s*([^}]*?)\s*\}$/;

/** Looks up a dotted path (`a.b.0.c`) in `vars`. */
export function lookup(vars: Readonly<Record<string, unknown>>, expr: string): { found: boolean; value: unknown } {
  let cur: unknown = vars;
  for (const part of expr.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as Record<string, unknown>)))
      return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

/** Interpolates every string inside `value` (deeply) with `vars`. */
export function interpolate(
  value: unknown,
  vars: Readonly<Record<string, unknown>>,
  path: (string | number)[] = [],
): Result<unknown, InterpolationError> {
  if (typeof value === 'string') return interpolateString(value, vars, path);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = interpolate(value[i], vars, [...path, i]);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return ok(out);
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Keys are interpolated too: `- metrics/${key}.json: {cache: false}`.
      const key = k.includes('${') ? interpolateString(k, vars, [...path, k]) : ok(k);
      if (!key.ok) return key;
      const r = interpolate(v, vars, [...path, k]);
      if (!r.ok) return r;
      out[String(key.value)] = r.value;
    }
    return ok(out);
  }
  return ok(value);
}

function interpolateString(
  s: string,
  vars: Readonly<Record<string, unknown>>,
  path: (string | number)[],
): Result<unknown, InterpolationError> {
  const whole = WHOLE.exec(s);
  if (whole) {
    const r = lookup(vars, whole[1] ?? '');
    if (!r.found) return err({ path, message: unknownMessage(whole[1] ?? '', vars) });
    return ok(r.value);
  }
  let failure: InterpolationError | undefined;
  const result = s.replace(EXPR, (_m, expr: string) => {
    const r = lookup(vars, expr);
    if (!r.found) failure ??= { path, message: unknownMessage(expr, vars) };
    else if (r.value !== null && typeof r.value === 'object') {
      failure ??= {
        path,
        message: `\${${expr}} is a ${Array.isArray(r.value) ? 'list' : 'map'} and cannot be placed inside a string; refer to one of its values instead`,
      };
    }
    return String(r.value);
  });
  return failure ? err(failure) : ok(result);
}

function unknownMessage(expr: string, vars: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(vars).sort().join(', ');
  return `\${${expr}} does not name a value (known top-level names: ${names || 'none'}); define it in params.yaml or use \${item}/\${key} inside foreach/matrix`;
}
