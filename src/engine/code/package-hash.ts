/**
 * A hash per package that stage code imports: its `package-lock.json` entry plus the entries of everything it
 * depends on (transitively, resolved the way Node finds nested node_modules), so upgrading a package or any
 * of its dependencies changes the hash, while upgrading an unrelated package does not.
 * Without a package-lock.json the installed `node_modules/<name>/package.json` version is used.
 * Owns: which lock fields count (location, version, resolved, integrity). Pure apart from reading files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hashBytes } from '../hash/hash-file.js';

interface LockPackage {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Parsed `packages` map of a lockfile v2/v3. */
export type LockPackages = Record<string, LockPackage>;

export function readLockPackages(root: string): LockPackages | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages?: LockPackages;
    };
    return data.packages && typeof data.packages === 'object' ? data.packages : undefined;
  } catch {
    return undefined;
  }
}

/** The lock key `name` resolves to from the package at lock key `from` ('' = the project). */
function locate(packages: LockPackages, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (Object.hasOwn(packages, key)) return key;
    if (base === '') return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/** Hash of `name`'s lock entry and its transitive dependencies' entries. */
export function packageHash(packages: LockPackages, name: string): string {
  const start = locate(packages, '', name);
  if (start === undefined) return hashBytes(`not in package-lock.json: ${name}`);
  const seen = new Set<string>();
  const queue = [start];
  const rows: string[] = [];
  while (queue.length > 0) {
    const key = queue.pop() as string;
    if (seen.has(key)) continue;
    seen.add(key);
    let entry = packages[key];
    // A workspace/file link: its target entry holds the version and dependencies.
    if (entry.link && entry.resolved && Object.hasOwn(packages, entry.resolved)) entry = packages[entry.resolved];
    rows.push(JSON.stringify([key, entry.version ?? null, entry.resolved ?? null, entry.integrity ?? null]));
    const deps = { ...entry.peerDependencies, ...entry.optionalDependencies, ...entry.dependencies };
    for (const dep of Object.keys(deps)) {
      const found = locate(packages, key, dep);
      if (found !== undefined && !seen.has(found)) queue.push(found);
    }
  }
  return hashBytes(rows.sort().join('\n'));
}

/** Without a lock file: the installed version (or "not installed"). */
export function installedPackageHash(root: string, name: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return hashBytes(`installed: ${name}@${pkg.version ?? '?'}`);
  } catch {
    return hashBytes(`not installed: ${name}`);
  }
}
