/**
 * Wording of stale reasons: the one place they become text (exhaustive).
 */
import { assertNever } from '../../engine/index.js';
import type { CodeWarning, StaleReason } from '../../engine/index.js';

export function formatReason(r: StaleReason): string {
  switch (r.kind) {
    case 'never-run':
      return 'never run (no entry in pipeline.lock)';
    case 'always-changed':
      return 'always_changed is set';
    case 'forced':
      return 'forced';
    case 'cmd-changed':
      return r.old === undefined ? 'changed from module to cmd' : 'cmd changed';
    case 'module-changed':
      return `module ${r.path} changed`;
    case 'dep-added':
      return `dep ${r.path} added`;
    case 'dep-removed':
      return `dep ${r.path} removed`;
    case 'param-added':
      return `param ${r.key} added`;
    case 'param-removed':
      return `param ${r.key} removed`;
    case 'out-added':
      return `out ${r.path} added`;
    case 'out-removed':
      return `out ${r.path} removed`;
    case 'definition-changed':
      return 'stage definition changed (wdir, out flags or env)';
    case 'dep-changed':
      return `dep ${r.path} changed`;
    case 'dep-missing':
      return `dep ${r.path} is missing`;
    case 'param-changed':
      return `param ${r.key} changed ${value(r.old)} -> ${value(r.new)}`;
    case 'out-changed':
      return `out ${r.path} changed`;
    case 'out-missing':
      return `out ${r.path} is missing`;
    case 'dep-chain-mismatch':
      return `dep ${r.path} recorded in pipeline.lock differs from the out recorded for stage ${r.upstream}`;
    case 'upstream-would-run':
      return `upstream stage ${r.upstream} would run`;
    case 'code-changed':
      return `code ${r.path} changed (imported by ${r.importer})`;
    case 'code-added':
      return `code ${r.path} added (imported by ${r.importer})`;
    case 'code-removed':
      return `code ${r.path} no longer imported`;
    case 'code-unrecorded':
      return 'code dependencies not recorded in pipeline.lock (it predates code tracking)';
    case 'package-changed':
      return `package ${r.name} changed in package-lock.json (imported by ${r.importer})`;
    case 'package-added':
      return `package ${r.name} added (imported by ${r.importer})`;
    case 'package-removed':
      return `package ${r.name} no longer imported`;
    default:
      return assertNever(r, 'stale reason');
  }
}

/** One line for a code warning, naming the file and line (deduplicated by the callers: files are shared). */
export function formatCodeWarning(w: CodeWarning): string {
  const at = `${w.file}:${w.line}`;
  switch (w.kind) {
    case 'non-literal-import':
      return `warning: ${at}: import() with a non-literal specifier: the files it loads are not tracked. Declare them in the stage's deps: and mark the import with a "// xpipe-dynamic-import" comment.`;
    case 'parse-error':
      return `warning: ${at}: cannot parse this file (${w.message ?? 'syntax error'}): its imports are not tracked.`;
    case 'unresolved-import':
      return `warning: ${at}: import '${w.specifier ?? ''}' names no file: it is not tracked.`;
    case 'outside-project':
      return `warning: ${at}: import '${w.specifier ?? ''}' is outside the project: it is not tracked; declare it in deps: or move it into the project.`;
    case 'subpath-import':
      return `warning: ${at}: subpath import '${w.specifier ?? ''}' is not followed: declare the files it loads in deps:.`;
    default:
      return assertNever(w.kind, 'code warning');
  }
}

/** Key that identifies a warning across stages sharing a file. */
export function codeWarningKey(w: CodeWarning): string {
  return `${w.kind}\0${w.file}\0${w.line}\0${w.specifier ?? ''}`;
}

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
