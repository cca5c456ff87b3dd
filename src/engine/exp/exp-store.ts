/**
 * The experiment store: one JSON record per experiment under `.xpipe/exps/<name>/exp.json`, plus
 * copies of its small metrics and plot files (`files/`) so `exp show`, `exp apply` and `plots diff`
 * work after its work directory is gone. The store is plain files, meant to be committed with git.
 *
 * Owns: the record format, names, atomic writes, listing. Does not own: running (run-exps.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { writeFileAtomicSync } from '../../shared/atomic.js';
import type { LockFile } from '../lock/lockfile.js';

export const EXPS_DIR = '.xpipe/exps';

/** One experiment, as recorded when its run ended. */
export interface ExpRecord {
  schema: 'xpipe-exp/1';
  name: string;
  /** The overrides given on the command line (dotted key → value). */
  overrides: Record<string, unknown>;
  /** Every declared param after the overrides, flattened: file → key → value. */
  params: Record<string, Record<string, unknown>>;
  /** Every declared metrics file, flattened: file → key → value (null when missing). */
  metrics: Record<string, Record<string, unknown> | null>;
  /** The experiment's pipeline.lock (what `exp apply` restores). */
  lock: LockFile;
  status: 'success' | 'failed';
  /** Stages run / restored / failed in the experiment's repro. */
  ran: string[];
  restored: string[];
  failed: string[];
  /** One paragraph when the run failed. */
  error?: string;
  startedAt: string;
  durationMs: number;
  /** The git commit the experiment started from, if any. */
  baseCommit?: string;
  /** Where it ran: compute backend (from a `backend` metric or param), platform and Node version. */
  backend: string;
  host: { platform: string; arch: string; node: string };
  /** Project paths of the metrics/plot files copied into `files/`. */
  files: string[];
}

/** `.xpipe/exps/<name>` under `root`. */
export function expDir(root: string, name: string): string {
  return path.join(root, EXPS_DIR, name);
}

/** Names are file-name safe: letters, digits, `._-`. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$/;

/** A short readable name from the overrides, e.g. `lr-0.01-arch-resnet18`, unique in the store. */
export function nameFor(root: string, overrides: Record<string, unknown>, taken: Set<string>): string {
  const parts = Object.entries(overrides).map(([k, v]) => `${k.split('.').pop()}-${String(v)}`);
  let base =
    parts
      .join('-')
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .slice(0, 60) || `exp-${crypto.randomBytes(3).toString('hex')}`;
  if (!/^[A-Za-z0-9]/.test(base)) base = `exp-${base}`;
  let name = base;
  for (let i = 2; taken.has(name) || fs.existsSync(expDir(root, name)); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** Writes the record atomically and copies `files` (project paths under `fromDir`) next to it. */
export function saveExp(root: string, record: ExpRecord, fromDir: string): void {
  const dir = expDir(root, record.name);
  fs.mkdirSync(dir, { recursive: true });
  const kept: string[] = [];
  for (const f of record.files) {
    const src = path.join(fromDir, f);
    if (!fs.existsSync(src) || !fs.statSync(src).isFile()) continue;
    writeFileAtomicSync(path.join(dir, 'files', f), fs.readFileSync(src));
    kept.push(f);
  }
  writeFileAtomicSync(path.join(dir, 'exp.json'), JSON.stringify({ ...record, files: kept }, null, 2) + '\n');
}

/** Every stored experiment, oldest first. Unreadable records are skipped and reported. */
export function listExps(root: string): { exps: ExpRecord[]; problems: string[] } {
  const base = path.join(root, EXPS_DIR);
  const exps: ExpRecord[] = [];
  const problems: string[] = [];
  if (!fs.existsSync(base)) return { exps, problems };
  for (const name of fs.readdirSync(base).sort()) {
    const file = path.join(base, name, 'exp.json');
    if (!fs.existsSync(file)) continue;
    try {
      const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as ExpRecord;
      if (rec.schema !== 'xpipe-exp/1') throw new Error('unknown schema');
      exps.push(rec);
    } catch (e) {
      problems.push(
        `${path.relative(root, file)}: unreadable experiment record (${e instanceof Error ? e.message : String(e)}); delete the folder or restore it from git.`,
      );
    }
  }
  exps.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.name.localeCompare(b.name));
  return { exps, problems };
}

/** Reads one experiment, or undefined when there is none by that name. */
export function readExp(root: string, name: string): ExpRecord | undefined {
  return listExps(root).exps.find((e) => e.name === name);
}

/** Deletes experiment `name`'s record and files; false when there is no such experiment. */
export function removeExp(root: string, name: string): boolean {
  if (!NAME.test(name)) return false;
  const dir = expDir(root, name);
  if (!fs.existsSync(path.join(dir, 'exp.json'))) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}
