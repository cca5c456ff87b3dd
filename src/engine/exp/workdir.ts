/**
 * An experiment's isolated work directory: a copy of the project's sources and inputs under
 * `.xpipe/tmp/exps/<name>/`, sharing the project's `cache/` (objects and run cache) through a symlink,
 * with its own params.yaml carrying the experiment's overrides.
 *
 * Owns: creating and removing work directories, and writing overrides into a params file while keeping
 * its comments and layout (yaml Document API). Does not own: running the pipeline (run-exps.ts).
 *
 * What is copied: everything except `.git`, `node_modules`, `cache`, `.xpipe`, `dist` and the
 * declared outs of every stage (those are restored from the shared cache by repro, or produced).
 * Being inside the project keeps Node's module resolution working (it walks up to node_modules).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { err, ok, type Result } from '../model/result.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';
import type { PipelineSpec } from '../model/spec.js';
import { CACHE_DIR } from '../cache/object-store.js';
import type { Overrides } from './sweep.js';

export const WORK_ROOT = '.xpipe/tmp/exps';
const SKIP = new Set(['.git', 'node_modules', CACHE_DIR, '.xpipe', 'dist']);

/** Creates `<root>/.xpipe/tmp/exps/<name>` (replacing a stale one) and returns its absolute path. */
export function createWorkdir(root: string, spec: PipelineSpec, name: string): string {
  const dir = path.join(root, WORK_ROOT, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const outs = new Set(spec.stages.flatMap((s) => s.outs.map((o) => o.path as string)));
  const copy = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if ((!rel && SKIP.has(entry.name)) || outs.has(child)) continue;
      const from = path.join(root, child),
        to = path.join(dir, child);
      if (entry.isDirectory()) {
        fs.mkdirSync(to, { recursive: true });
        copy(child);
      } else if (entry.isSymbolicLink()) fs.cpSync(from, to, { verbatimSymlinks: true });
      // Copy-on-write clone where the filesystem supports it (btrfs, xfs, APFS), a plain copy elsewhere.
      else if (entry.isFile()) fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE);
    }
  };
  copy('');
  fs.mkdirSync(path.join(root, CACHE_DIR), { recursive: true });
  fs.symlinkSync(path.relative(dir, path.join(root, CACHE_DIR)), path.join(dir, CACHE_DIR), 'dir');
  return dir;
}

/** Removes a work directory (the shared cache behind the symlink is untouched). */
export function removeWorkdir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes `overrides` (dotted keys) into the params file `file` under `dir`, keeping comments.
 * A key must already exist in the file: a typo like `train.lrr` is an error, not a silent new param.
 */
export function applyOverrides(dir: string, file: string, overrides: Overrides): Result<void, string> {
  const doc = overriddenDocument(dir, file, overrides);
  if (!doc.ok) return doc;
  writeFileAtomicSync(path.join(dir, file), doc.value);
  return ok(undefined);
}

/** Checks every override set against `file` in `dir` without writing anything. */
export function validateOverrides(dir: string, file: string, sets: readonly Overrides[]): Result<void, string> {
  for (const set of sets) {
    const r = overriddenDocument(dir, file, set);
    if (!r.ok) return r;
  }
  return ok(undefined);
}

function overriddenDocument(dir: string, file: string, overrides: Overrides): Result<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return err(`cannot set params: ${file} does not exist in the project.`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    return err(`cannot set params: ${file} is not valid YAML (${doc.errors[0].message.split('\n')[0]}).`);
  for (const [key, value] of Object.entries(overrides)) {
    const at = key.split('.');
    if (!doc.hasIn(at))
      return err(
        `unknown param '${key}': ${file} has no such key. Check the spelling (xpipe params diff --all lists every param).`,
      );
    doc.setIn(at, value);
  }
  return ok(doc.toString());
}
