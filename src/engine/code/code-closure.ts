/**
 * A module stage's code: the transitive closure of the local files its module imports (plus the imports of
 * any code file declared in `deps:`, e.g. a worker script), the packages that code imports, and warnings for
 * what cannot be followed. Each file's import list is cached in `.xpipe/state/code.json` by
 * (path, inode, size, mtime), so a no-op status parses nothing: it stats the closure's files and resolves
 * their specifiers. Package hashes are cached by the stamp of package-lock.json.
 * Owns: the walk and that cache. Does not own: parsing (parse-imports.ts), resolving (resolve-import.ts),
 * content hashes of the files (the state index, through the workspace's PathHasher).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CodeWarning } from '../model/reasons.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';
import { parseImports, type ParsedFile } from './parse-imports.js';
import { isParsable, resolveImport, type Resolved } from './resolve-import.js';
import { installedPackageHash, packageHash, readLockPackages, type LockPackages } from './package-hash.js';

/** The code of one stage. `files` excludes the roots themselves (they are the module and declared deps). */
export interface StageCode {
  /** Closure files sorted by path, each with the file that first imports it (breadth-first: nearest root). */
  files: { path: string; importer: string }[];
  /** Packages imported by the closure, sorted by name, with their package-lock hash. */
  packages: { name: string; hash: string; importer: string }[];
  warnings: CodeWarning[];
}

type Stamp = [ino: number, size: number, mtimeMs: number];
interface CacheFile {
  v: 1;
  files: Record<string, [...Stamp, ParsedFile]>;
  lock?: { stamp: Stamp; pkgs: Record<string, string> };
}

export class CodeClosure {
  private data: CacheFile | undefined;
  private dirty = false;
  private readonly parsed = new Map<string, ParsedFile | undefined>();
  private readonly resolved = new Map<string, Resolved>();
  private lockPackages: LockPackages | undefined | null = null;
  private lockStamp: Stamp | undefined | null = null;
  /** Files parsed (not served by the cache) in this process; for tests and the benchmark. */
  filesParsed = 0;

  constructor(
    private readonly root: string,
    private readonly file = path.join(root, '.xpipe', 'state', 'code.json'),
  ) {}

  /** The closure of `roots` (project paths; the first is the module). */
  stageCode(roots: readonly string[]): StageCode {
    const importerOf = new Map<string, string>(roots.map((r) => [r, '']));
    const packages = new Map<string, string>();
    const warnings: CodeWarning[] = [];
    const queue = [...roots];
    for (let i = 0; i < queue.length; i++) {
      const file = queue[i];
      if (!isParsable(file)) continue;
      const parsed = this.parse(file);
      if (!parsed) continue;
      for (const p of parsed.problems)
        warnings.push({ kind: p.kind, file, line: p.line, ...(p.message ? { message: p.message } : {}) });
      for (const imp of parsed.imports) {
        const r = this.resolve(file, imp.specifier);
        if (r.kind === 'local') {
          if (!importerOf.has(r.path)) {
            importerOf.set(r.path, file);
            queue.push(r.path);
          }
        } else if (r.kind === 'package') {
          if (!packages.has(r.name)) packages.set(r.name, file);
        } else if (r.kind === 'unresolved') {
          const kind = r.why === 'not-found' ? 'unresolved-import' : r.why;
          warnings.push({ kind, file, line: imp.line, specifier: imp.specifier });
        }
      }
    }
    const rootSet = new Set(roots);
    const files = [...importerOf]
      .filter(([p]) => !rootSet.has(p))
      .map(([p, importer]) => ({ path: p, importer }))
      .sort(byKey((f) => f.path));
    const pkgs = [...packages]
      .map(([name, importer]) => ({ name, importer, hash: this.packageHash(name) }))
      .sort(byKey((p) => p.name));
    return { files, packages: pkgs, warnings };
  }

  /** Writes the cache if it changed. Never throws: it is only an optimisation. */
  save(): void {
    if (!this.dirty || !this.data) return;
    try {
      writeFileAtomicSync(this.file, JSON.stringify(this.data));
      this.dirty = false;
    } catch {
      // Read-only checkout or full disk: parsing still works, just again next time.
    }
  }

  private load(): CacheFile {
    if (this.data) return this.data;
    try {
      const d = JSON.parse(fs.readFileSync(this.file, 'utf8')) as CacheFile;
      if (d.v === 1 && d.files !== null && typeof d.files === 'object') this.data = d;
    } catch {
      // Missing or unreadable: start empty.
    }
    this.data ??= { v: 1, files: Object.create(null) as CacheFile['files'] };
    return this.data;
  }

  /** The import list of a project file, from the cache when its stamp is unchanged; undefined if unreadable. */
  private parse(rel: string): ParsedFile | undefined {
    if (this.parsed.has(rel)) return this.parsed.get(rel);
    const abs = path.join(this.root, rel);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    let result: ParsedFile | undefined;
    if (st?.isFile()) {
      const data = this.load();
      const hit = Object.hasOwn(data.files, rel) ? data.files[rel] : undefined;
      if (hit && hit[0] === st.ino && hit[1] === st.size && hit[2] === st.mtimeMs) result = hit[3];
      else {
        result = parseImports(fs.readFileSync(abs, 'utf8'), rel);
        this.filesParsed++;
        Object.defineProperty(data.files, rel, {
          value: [st.ino, st.size, st.mtimeMs, result],
          enumerable: true,
          writable: true,
          configurable: true,
        });
        this.dirty = true;
      }
    }
    this.parsed.set(rel, result);
    return result;
  }

  private resolve(importer: string, spec: string): Resolved {
    // Specifiers resolve relative to the importer's directory, so that pair is the memo key.
    const key = `${path.posix.dirname(importer)}\0${spec}`;
    let r = this.resolved.get(key);
    if (!r) {
      r = resolveImport(this.root, importer, spec);
      this.resolved.set(key, r);
    }
    return r;
  }

  private packageHash(name: string): string {
    if (this.lockStamp === null) {
      const st = fs.statSync(path.join(this.root, 'package-lock.json'), { throwIfNoEntry: false });
      this.lockStamp = st ? [st.ino, st.size, st.mtimeMs] : undefined;
    }
    const stamp = this.lockStamp;
    if (!stamp) return installedPackageHash(this.root, name);
    const data = this.load();
    if (!data.lock || data.lock.stamp.some((v, i) => v !== stamp[i])) {
      data.lock = { stamp, pkgs: {} };
      this.dirty = true;
    }
    const known = Object.hasOwn(data.lock.pkgs, name) ? data.lock.pkgs[name] : undefined;
    if (known !== undefined) return known;
    if (this.lockPackages === null) this.lockPackages = readLockPackages(this.root);
    const hash = this.lockPackages ? packageHash(this.lockPackages, name) : installedPackageHash(this.root, name);
    Object.defineProperty(data.lock.pkgs, name, { value: hash, enumerable: true, writable: true, configurable: true });
    this.dirty = true;
    return hash;
  }
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}
