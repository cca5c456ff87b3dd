/**
 * `params diff` / `metrics diff` / `metrics show` as data: choose the two sides, load, diff.
 *
 * Owns: the DVC defaults (A = HEAD, B = workspace), the pipeline.lock fallback for params outside a
 * git repository (or with `--lock`), and the error paragraphs for bad revisions.
 * Does not own: printing (cli/render/report-views.ts) or loading the pipeline.
 */
import type { LockFile } from '../lock/lockfile.js';
import { err, ok, type Result } from '../model/result.js';
import { diffFileValues, type DiffRow, type FileValues } from './diff-values.js';
import { isGitRepo, resolveRevision } from './git-revision.js';
import { loadFileValues, sourceLabel, type FileSelection, type ValueSource } from './load-values.js';
import { lockedParamValues } from './declared-files.js';

/** What the user asked to compare. */
export interface CompareRequest {
  root: string;
  files: FileSelection[];
  /** Old side (default HEAD). */
  a?: string;
  /** New side (default the workspace). */
  b?: string;
  /** Include unchanged keys. */
  all?: boolean;
  /** Params only: compare against the values the last repro used instead of git. */
  lock?: LockFile;
  /** Params only: fall back to `lock` outside a git repository. */
  lockFallback?: LockFile;
}

/** The comparison, with labels for the two sides and an optional note for the user. */
export interface Comparison {
  labels: [string, string];
  rows: DiffRow[];
  note?: string;
}

/** Resolves a revision name into a source (error: one paragraph). */
export async function revisionSource(root: string, name: string): Promise<Result<ValueSource, string>> {
  const r = await resolveRevision(root, name);
  return r.ok ? ok({ kind: 'revision', rev: r.value }) : err(r.error.message);
}

/** Runs the comparison described by `req`. */
export async function compare(req: CompareRequest): Promise<Result<Comparison, string[]>> {
  const workspace: ValueSource = { kind: 'workspace' };
  const current = await loadFileValues(req.root, workspace, req.files);
  if (!current.ok) return current;
  const git = await isGitRepo(req.root);
  const lock = req.lock ?? (!git && req.a === undefined ? req.lockFallback : undefined);
  if (lock) {
    const empty =
      Object.keys(lock.stages).length === 0
        ? ' pipeline.lock records no runs yet (run xpipe repro), so every value is new.'
        : '';
    const note =
      (req.lock
        ? ''
        : 'not a git repository: comparing the workspace with pipeline.lock (the values the last repro used).') + empty;
    const rows = diffFileValues(restrict(lockedParamValues(lock), current.value), current.value, { all: req.all });
    return ok({ labels: ['pipeline.lock', 'workspace'], rows, ...(note ? { note: note.trim() } : {}) });
  }
  const a = await revisionSource(req.root, req.a ?? 'HEAD');
  if (!a.ok) return err([a.error]);
  let b: ValueSource = workspace;
  if (req.b !== undefined) {
    const r = await revisionSource(req.root, req.b);
    if (!r.ok) return err([r.error]);
    b = r.value;
  }
  const left = await loadFileValues(req.root, a.value, req.files);
  if (!left.ok) return left;
  const right = b.kind === 'workspace' ? current : await loadFileValues(req.root, b, req.files);
  if (!right.ok) return right;
  return ok({
    labels: [sourceLabel(a.value), sourceLabel(b)],
    rows: diffFileValues(left.value, right.value, { all: req.all }),
  });
}

/** Keeps only the files present in `like` (the lock also records params files of removed stages). */
function restrict(values: FileValues, like: FileValues): FileValues {
  return new Map([...values].filter(([file]) => like.has(file)));
}
