/**
 * Branded primitive types so hashes, keys and project paths cannot be mixed up.
 * Owns: the brands and their checked constructors. Does not own: hashing or path IO.
 */
import path from 'node:path';

/** A content hash: hex sha1 of a file, or of a directory manifest followed by `.dir`. */
export type ContentHash = string & { readonly __brand: 'ContentHash' };
/** The hash of a stage's definition or of a run-cache key. */
export type StageKey = string & { readonly __brand: 'StageKey' };
/** A POSIX path relative to the project root that never escapes it (no leading `/`, no `..`). */
export type ProjectPath = string & { readonly __brand: 'ProjectPath' };

export const asContentHash = (s: string): ContentHash => s as ContentHash;
export const asStageKey = (s: string): StageKey => s as StageKey;

/**
 * Normalises `p` (relative to `base`, itself a ProjectPath or '') into a ProjectPath, or returns
 * undefined when it is absolute or escapes the project.
 */
export function toProjectPath(base: string, p: string): ProjectPath | undefined {
  if (p.length === 0 || path.posix.isAbsolute(p) || path.win32.isAbsolute(p)) return undefined;
  const joined = path.posix.normalize(path.posix.join(base || '.', p.replace(/\\/g, '/')));
  if (joined === '..' || joined.startsWith('../')) return undefined;
  const cleaned = joined.replace(/\/+$/, '');
  return (cleaned === '' ? '.' : cleaned) as ProjectPath;
}

/** True when `a` equals `b` or one contains the other. */
export function pathsOverlap(a: ProjectPath, b: ProjectPath): boolean {
  return a === b || isInside(a, b) || isInside(b, a);
}

/** True when `inner` is strictly inside directory `outer`. */
export function isInside(inner: ProjectPath, outer: ProjectPath): boolean {
  if (outer === '.') return inner !== '.';
  return inner.startsWith(outer + '/');
}
