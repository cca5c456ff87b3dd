/**
 * Params: dotted-key lookup, the values a stage declares, and the nested view a stage module receives.
 * Owns: param key semantics (`train` = whole section, `model.arch` = one value). Pure.
 * Does not own: reading params files (load-spec.ts).
 */
import type { ParamsFiles, ParamSpec, StageSpec } from '../model/spec.js';
import { lookup } from './interpolate.js';

/** The declared param values of a stage: params file → (declared key → value). Keys sorted. */
export type ParamValues = Record<string, Record<string, unknown>>;

/** Looks up a dotted key in a parsed params file. */
export function paramValue(values: unknown, key: string): { found: boolean; value: unknown } {
  if (values === null || typeof values !== 'object') return { found: false, value: undefined };
  return lookup(values as Record<string, unknown>, key);
}

/** The values of every param `stage` declares (missing keys are left out; load-spec rejects them earlier). */
export function stageParamValues(stage: StageSpec, files: ParamsFiles): ParamValues {
  const out: ParamValues = {};
  // Plain code-unit order: localeCompare would load ICU collation (~10 ms) on every no-op run.
  const order = (p: ParamSpec) => `${p.file}\0${p.key}`;
  const sorted = [...stage.params].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  for (const p of sorted) {
    const r = paramValue(files.get(p.file), p.key);
    if (!r.found) continue;
    (out[p.file] ??= {})[p.key] = r.value;
  }
  return out;
}

/**
 * The nested params object for a stage module: `[train, model.arch]` → `{train: {...}, model: {arch}}`.
 * Keys from other params files are merged into the same object.
 */
export function nestedParams(params: readonly ParamSpec[], files: ParamsFiles): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const p of params) {
    const r = paramValue(files.get(p.file), p.key);
    if (!r.found) continue;
    const parts = p.key.split('.');
    let cur = root;
    parts.slice(0, -1).forEach((part) => {
      const next = cur[part];
      cur = (cur[part] = next !== null && typeof next === 'object' ? next : {}) as Record<string, unknown>;
    });
    cur[parts[parts.length - 1]] = structuredClone(r.value);
  }
  return root;
}

/** A changed leaf between two param values, as a dotted key. */
export interface ParamChange {
  key: string;
  old: unknown;
  new: unknown;
}

/** Leaf-level differences between two values of declared key `key` (a section compares per leaf). */
export function diffParamValue(key: string, oldV: unknown, newV: unknown): ParamChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(oldV) && isObj(newV)) {
    const keys = [...new Set([...Object.keys(oldV), ...Object.keys(newV)])].sort();
    return keys.flatMap((k) => diffParamValue(`${key}.${k}`, oldV[k], newV[k]));
  }
  return canonicalJson(oldV) === canonicalJson(newV) ? [] : [{ key, old: oldV, new: newV }];
}

/** JSON with object keys sorted at every level: the canonical form that is hashed or compared. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
