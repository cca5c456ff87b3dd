/**
 * `exp apply NAME`: make the workspace what experiment NAME produced — its params written into
 * params.yaml (comments kept), its pipeline.lock, its metrics/plot files, and its outs restored from
 * the shared cache.
 *
 * Owns: the order (params → lock → small files → checkout). Does not own: the cache (checkout).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { err, ok, type Result } from '../model/result.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';
import { writeLock } from '../lock/lockfile.js';
import { checkout } from '../maintenance.js';
import type { Project } from '../project.js';
import type { CheckoutReport } from '../cache/checkout.js';
import { expDir, readExp } from './exp-store.js';

export interface ApplyReport {
  /** Dotted params keys whose value changed in the workspace. */
  changedParams: string[];
  files: string[];
  checkout: CheckoutReport;
}

/** Applies experiment `name` to the project. */
export async function applyExperiment(project: Project, name: string): Promise<Result<ApplyReport, string>> {
  const root = project.root;
  const rec = readExp(root, name);
  if (!rec) return err(`no experiment named "${name}" in .xpipe/exps; "xpipe exp show" lists them.`);
  if (rec.status !== 'success')
    return err(
      `experiment "${name}" failed (${rec.error ?? 'see its record'}); only successful experiments can be applied.`,
    );
  const changedParams: string[] = [];
  for (const [file, values] of Object.entries(rec.params)) {
    const full = path.join(root, file);
    if (!fs.existsSync(full))
      return err(`cannot apply "${name}": its params file ${file} does not exist in the workspace.`);
    const doc = parseDocument(fs.readFileSync(full, 'utf8'));
    if (doc.errors.length > 0) return err(`cannot apply "${name}": ${file} is not valid YAML; fix it first.`);
    for (const [key, value] of Object.entries(values ?? {})) {
      const at = key.split('.');
      const current = lookup(doc.toJS() as unknown, at);
      if (JSON.stringify(current) === JSON.stringify(value)) continue;
      doc.setIn(at, value);
      changedParams.push(key);
    }
    writeFileAtomicSync(full, doc.toString());
  }
  writeLock(root, rec.lock);
  const files: string[] = [];
  for (const f of rec.files) {
    const src = path.join(expDir(root, name), 'files', f);
    if (!fs.existsSync(src)) continue;
    writeFileAtomicSync(path.join(root, f), fs.readFileSync(src));
    files.push(f);
  }
  const co = await checkout(project);
  if (!co.ok)
    return err(
      co.error.kind === 'busy'
        ? `another xpipe process (pid ${co.error.pid}) is working in this project; try again when it finishes.`
        : co.error.diagnostics.map((d) => d.message).join(' '),
    );
  return ok({ changedParams, files, checkout: co.value });
}

function lookup(value: unknown, at: string[]): unknown {
  let cur = value;
  for (const k of at) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
