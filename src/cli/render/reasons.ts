/**
 * Wording of stale reasons: the one place they become text (exhaustive).
 */
import { assertNever } from '../../engine/index.js';
import type { StaleReason } from '../../engine/index.js';

export function formatReason(r: StaleReason): string {
  switch (r.kind) {
    case 'never-run': return 'never run (no entry in pipeline.lock)';
    case 'always-changed': return 'always_changed is set';
    case 'forced': return 'forced';
    case 'cmd-changed': return r.old === undefined ? 'changed from module to cmd' : 'cmd changed';
    case 'module-changed': return `module ${r.path} changed`;
    case 'dep-added': return `dep ${r.path} added`;
    case 'dep-removed': return `dep ${r.path} removed`;
    case 'param-added': return `param ${r.key} added`;
    case 'param-removed': return `param ${r.key} removed`;
    case 'out-added': return `out ${r.path} added`;
    case 'out-removed': return `out ${r.path} removed`;
    case 'definition-changed': return 'stage definition changed (wdir, out flags or env)';
    case 'dep-changed': return `dep ${r.path} changed`;
    case 'dep-missing': return `dep ${r.path} is missing`;
    case 'param-changed': return `param ${r.key} changed ${value(r.old)} -> ${value(r.new)}`;
    case 'out-changed': return `out ${r.path} changed`;
    case 'out-missing': return `out ${r.path} is missing`;
    case 'dep-chain-mismatch': return `dep ${r.path} recorded in pipeline.lock differs from the out recorded for stage ${r.upstream}`;
    case 'upstream-would-run': return `upstream stage ${r.upstream} would run`;
    default: return assertNever(r, 'stale reason');
  }
}

function value(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
