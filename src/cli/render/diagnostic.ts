/**
 * Prints a Diagnostic: `file:line:col: message`, then the source line and an underline, plus related places.
 */
import type { Diagnostic, SourceLocation } from '../../engine/index.js';

export function formatDiagnostic(d: Diagnostic): string {
  const head = d.location
    ? `error: ${d.location.file}:${d.location.line}:${d.location.column}: ${d.message}`
    : `error: ${d.message}`;
  const parts = [head];
  if (d.location) parts.push(snippet(d.location));
  for (const r of d.related ?? []) parts.push(`  see ${r.file}:${r.line}:${r.column}`, snippet(r));
  return parts.join('\n') + '\n';
}

function snippet(l: SourceLocation): string {
  const num = String(l.line);
  const pad = ' '.repeat(num.length);
  const text = l.sourceLine.replace(/\t/g, ' ');
  return `  ${num} | ${text}\n  ${pad} | ${' '.repeat(Math.max(0, l.column - 1))}${'^'.repeat(Math.max(1, Math.min(l.length, text.length - l.column + 1)))}`;
}
