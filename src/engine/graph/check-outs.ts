/**
 * Rejects two stages declaring the same out, or one stage's out lying inside another's.
 * Owns: out ownership checks. Pure.
 */
import { isInside, type ProjectPath } from '../model/brands.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { OutSpec, StageSpec } from '../model/spec.js';

/** Diagnostics for duplicate and overlapping outs (empty when all outs are disjoint). */
export function checkOuts(stages: readonly StageSpec[]): Diagnostic[] {
  const all: { stage: string; out: OutSpec }[] = stages.flatMap((s) => s.outs.map((out) => ({ stage: s.name, out })));
  // Sort by path segments ('/' as the lowest character) so that everything inside a directory follows it.
  const key = (p: string) => p.split('/').join('\u0000');
  all.sort((a, b) => (key(a.out.path) < key(b.out.path) ? -1 : key(a.out.path) > key(b.out.path) ? 1 : 0));
  const diagnostics: Diagnostic[] = [];
  // After sorting, an out equal to or inside another follows it; compare each with the open "ancestors".
  const open: { stage: string; out: OutSpec }[] = [];
  for (const cur of all) {
    while (open.length > 0 && !covers((open[open.length - 1] as { out: OutSpec }).out.path, cur.out.path)) open.pop();
    for (const prev of open) {
      if (prev.out.path === cur.out.path) {
        const who =
          prev.stage === cur.stage
            ? `stage "${cur.stage}" declares it twice`
            : `stages "${prev.stage}" and "${cur.stage}" both declare it`;
        diagnostics.push({
          code: 'duplicate-out',
          message: `Output "${cur.out.path}" has more than one producer: ${who}. Each out must belong to exactly one stage; remove one declaration.`,
          ...loc(cur.out),
          related: rel(prev.out),
        });
      } else {
        diagnostics.push({
          code: 'overlapping-outs',
          message: `Output "${cur.out.path}" of stage "${cur.stage}" lies inside output "${prev.out.path}" of stage "${prev.stage}", so one stage would write into the other's outs. Move one of them to a separate path.`,
          ...loc(cur.out),
          related: rel(prev.out),
        });
      }
    }
    open.push(cur);
  }
  return diagnostics;
}

function covers(outer: ProjectPath, inner: ProjectPath): boolean {
  return outer === inner || isInside(inner, outer);
}

function loc(o: OutSpec): { location?: NonNullable<OutSpec['location']> } {
  return o.location ? { location: o.location } : {};
}

function rel(o: OutSpec): NonNullable<OutSpec['location']>[] {
  return o.location ? [o.location] : [];
}
