/**
 * Resolves one import specifier the way a module stage loads it (tsx on Node, TypeScript NodeNext rules):
 * `./x.js` is the sibling `x.ts` when that exists (else `x.js`), `.mjs` → `.mts`, `.cjs` → `.cts`;
 * an extensionless path tries the code extensions, then `index.*` in that directory.
 * Owns: local/package/builtin classification. Does not own: reading files (code-closure.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Where a specifier leads. */
export type Resolved =
  /** A project file (POSIX path relative to the root). */
  | { kind: 'local'; path: string }
  /** A package from node_modules (covered by the package-lock hash). */
  | { kind: 'package'; name: string }
  /** Node built-ins, data: and remote URLs: nothing to track. */
  | { kind: 'ignored' }
  | { kind: 'unresolved'; why: 'not-found' | 'outside-project' | 'subpath-import' };

/** Extensions of files that take part in the closure (the rest of a closure file's imports are ignored). */
export const CODE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
/** Of those, the ones whose imports are followed (JSON has none). */
export function isParsable(p: string): boolean {
  return CODE_EXTENSIONS.includes(path.extname(p)) && !p.endsWith('.json');
}

const TS_FOR_JS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx', '.js', '.jsx'],
  '.jsx': ['.tsx', '.jsx'],
  '.mjs': ['.mts', '.mjs'],
  '.cjs': ['.cts', '.cjs'],
};
const EXTENSIONLESS = ['.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs', '.json'];

function isFile(abs: string): boolean {
  return fs.statSync(abs, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** The file `absNoExt`-based candidates point at, or undefined. */
function findFile(abs: string): string | undefined {
  const ext = path.extname(abs);
  const mapped = TS_FOR_JS[ext];
  if (mapped) {
    const base = abs.slice(0, -ext.length);
    for (const e of mapped) if (isFile(base + e)) return base + e;
    return undefined;
  }
  if (isFile(abs)) return abs;
  for (const e of EXTENSIONLESS) if (isFile(abs + e)) return abs + e;
  for (const e of EXTENSIONLESS) if (isFile(path.join(abs, 'index' + e))) return path.join(abs, 'index' + e);
  return undefined;
}

/** The package name of a bare specifier (`@scope/name/sub` → `@scope/name`). */
export function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Resolves `spec` imported by the project file `importer` (POSIX, relative to `root`). */
export function resolveImport(root: string, importer: string, spec: string): Resolved {
  if (spec.startsWith('node:') || isBuiltin(spec) || /^(data|https?):/.test(spec)) return { kind: 'ignored' };
  if (spec.startsWith('#')) return { kind: 'unresolved', why: 'subpath-import' };
  let abs: string;
  const absolute = spec.startsWith('file:') || path.isAbsolute(spec);
  if (spec.startsWith('file:')) abs = fileURLToPath(spec);
  else if (spec.startsWith('.') || absolute) abs = path.resolve(root, path.dirname(importer), spec);
  else return { kind: 'package', name: packageName(spec) };
  const found = findFile(abs);
  if (!found) return { kind: 'unresolved', why: 'not-found' };
  const rel = path.relative(root, found);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    // An absolute path or file: URL outside the project names an installation (like a package, but with no
    // lock entry to hash): not tracked, silently. A relative path that climbs out of the project is the
    // project's own code in the wrong place: warned about.
    return absolute ? { kind: 'ignored' } : { kind: 'unresolved', why: 'outside-project' };
  }
  const posix = rel.split(path.sep).join('/');
  // A relative path into node_modules is a package's file: the package-lock hash covers it.
  if (posix.split('/').includes('node_modules')) return { kind: 'ignored' };
  return { kind: 'local', path: posix };
}
