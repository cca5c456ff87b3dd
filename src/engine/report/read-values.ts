/**
 * Parsing params and metrics files (YAML or JSON) into flattened values.
 *
 * Owns: choosing a parser by extension and wording a parse error with the file and revision.
 * Does not own: finding which files to read (the pipeline spec does) or where the text comes from.
 */
import { parse as parseYaml } from 'yaml';
import { err, ok, type Result } from '../model/result.js';
import { flatten, type FlatValues } from './flatten.js';

/** Parses `text` of `file` (shown in errors, with `where` such as `at HEAD` or `in the workspace`). */
export function parseValues(file: string, text: string, where: string): Result<FlatValues, string> {
  try {
    const data: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    return ok(flatten(data ?? {}));
  } catch (e) {
    const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return err(
      `cannot parse ${file} ${where}: ${reason}. Fix the file (it must be ${/\.json$/i.test(file) ? 'JSON' : 'YAML or JSON'}) and try again.`,
    );
  }
}

/** Keeps only `keys` (dotted prefixes) of `values`; an empty key list keeps everything. */
export function selectKeys(values: FlatValues, keys: readonly string[]): FlatValues {
  if (keys.length === 0) return values;
  const out: FlatValues = new Map();
  for (const [k, v] of values) {
    if (keys.some((p) => k === p || k.startsWith(p + '.'))) out.set(k, v);
  }
  return out;
}
