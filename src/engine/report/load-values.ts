/**
 * Loading the flattened values of declared params or metrics files from one side of a comparison:
 * the workspace or a git revision.
 *
 * Owns: reading each file from its source and parsing it, collecting one error paragraph per bad file.
 * Does not own: which files are declared (declared-files.ts) or diffing (diff-values.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FlatValues } from './flatten.js';
import type { FileValues } from './diff-values.js';
import { readAtRevision, revisionLabel, type Revision } from './git-revision.js';
import { parseValues, selectKeys } from './read-values.js';
import { err, ok, type Result } from '../model/result.js';

/** Where values are read from. */
export type ValueSource =
  | { kind: 'workspace' }
  | { kind: 'revision'; rev: Revision }
  /** Files kept in a directory, e.g. an experiment's copies under `.xpipe/exps/NAME/files`. */
  | { kind: 'dir'; label: string; dir: string };

/** A file to read and the dotted key prefixes to keep (empty = all keys). */
export interface FileSelection {
  path: string;
  keys: readonly string[];
}

/** Human label of a source, for table headers: `workspace` or `HEAD (1a2b3c4)`. */
export function sourceLabel(source: ValueSource): string {
  return source.kind === 'workspace' ? 'workspace' : source.kind === 'dir' ? source.label : revisionLabel(source.rev);
}

/** Text of `file` at `source`, or undefined when it does not exist there. */
export async function readSourceText(root: string, source: ValueSource, file: string): Promise<string | undefined> {
  if (source.kind === 'revision') return readAtRevision(root, source.rev.commit, file);
  try {
    return await readFile(path.join(source.kind === 'dir' ? source.dir : root, file), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR')
      return undefined;
    throw e;
  }
}

/**
 * Values of every selected file at `source`. A missing file maps to undefined (shown as `-`);
 * an unparsable one is an error naming the file and the revision.
 */
export async function loadFileValues(
  root: string,
  source: ValueSource,
  files: readonly FileSelection[],
): Promise<Result<FileValues, string[]>> {
  const out: FileValues = new Map();
  const errors: string[] = [];
  const where =
    source.kind === 'workspace'
      ? 'in the workspace'
      : source.kind === 'dir'
        ? `in ${source.label}`
        : `at revision ${revisionLabel(source.rev)}`;
  for (const file of files) {
    const text = await readSourceText(root, source, file.path);
    if (text === undefined) {
      out.set(file.path, undefined);
      continue;
    }
    const parsed = parseValues(file.path, text, where);
    if (!parsed.ok) errors.push(parsed.error);
    else out.set(file.path, mergeInto(out.get(file.path), selectKeys(parsed.value, file.keys)));
  }
  return errors.length > 0 ? err(errors) : ok(out);
}

function mergeInto(existing: FlatValues | undefined, add: FlatValues): FlatValues {
  if (!existing) return add;
  for (const [k, v] of add) existing.set(k, v);
  return existing;
}
