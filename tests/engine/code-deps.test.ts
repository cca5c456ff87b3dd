// Unit tests of module-stage code dependencies: the import parser on TypeScript source, the resolver
// (`.js` → `.ts`, index files, JSON, packages), the closure walk (cycles, importers, cache) on real temp
// files, package-lock hashes, and the stale reasons diffStage derives from a `code:` list.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { parseImports } from '../../src/engine/code/parse-imports.js';
import { resolveImport } from '../../src/engine/code/resolve-import.js';
import { CodeClosure } from '../../src/engine/code/code-closure.js';
import { packageHash, type LockPackages } from '../../src/engine/code/package-hash.js';
import { diffStage, type CurrentStage } from '../../src/engine/lock/diff-stage.js';
import type { LockEntry } from '../../src/engine/lock/lockfile.js';
import { asContentHash, asStageKey } from '../../src/engine/model/brands.js';
import { REPO_ROOT } from '../helpers/project-rig.js';

let dir: string;
function tree(files: Record<string, string>): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-code-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const specs = (src: string) => parseImports(src, 'x.ts').imports.map((i) => i.specifier);

describe('parseImports', () => {
  it('skips imports TypeScript erases and keeps the rest, through annotations and generics', () => {
    const src = [
      "import type { A } from './type-only.js';",
      "import { type B, type C } from './inline-types.js';",
      "export type { F } from './export-type.js';",
      "import { D, type E } from './mixed.js';",
      "import type from './default-named-type.js';",
      "export { G } from './reexport.js';",
      "import './side-effect.js';",
      "type X = typeof import('./type-query.js');",
      'function f<T extends Array<number>>(x: T, y: Map<string, Set<number>>): T { return x as unknown as T; }',
      'const g = <T,>(x: T): T => x; const r = 1 / 2 / 3;',
      "const dyn = await import('./dynamic.js');",
      "import data from './table.json' with { type: 'json' };",
    ].join('\n');
    expect(specs(src)).toEqual([
      './mixed.js',
      './default-named-type.js',
      './reexport.js',
      './side-effect.js',
      './dynamic.js',
      './table.json',
    ]);
  });

  it('reports a non-literal import() with its line, unless the pragma comment marks it', () => {
    expect(parseImports('const a = 1;\nawait import(name);\n', 'x.ts').problems).toEqual([
      { kind: 'non-literal-import', line: 2 },
    ]);
    expect(parseImports('// xpipe-dynamic-import: declared\nawait import(name);\n', 'x.ts').problems).toEqual([]);
  });

  it("finds every import esbuild keeps in this repository's own sources (the lexer is not fooled by TypeScript)", () => {
    const esbuild = createRequire(import.meta.url)('esbuild') as {
      transformSync(c: string, o: object): { code: string };
    };
    const files = execFileSync('git', ['ls-files', 'src/*.ts', 'stages/*.ts'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(files.length).toBeGreaterThan(100);
    for (const f of files) {
      const src = fs.readFileSync(path.join(REPO_ROOT, f), 'utf8');
      const ours = new Set(specs(src));
      const kept = parseImports(esbuild.transformSync(src, { loader: 'ts', format: 'esm' }).code, 'x.js').imports.map(
        (i) => i.specifier,
      );
      for (const s of kept) expect(ours.has(s), `${f}: ${s}`).toBe(true);
    }
  });
});

describe('resolveImport', () => {
  it('maps .js to the .ts sibling, tries index files and extensions, and classifies packages', () => {
    const root = tree({
      'a/x.ts': '',
      'a/plain.js': '',
      'a/both.ts': '',
      'a/both.js': '',
      'a/m.mts': '',
      'a/dir/index.ts': '',
      'a/t.json': '{}',
      'a/noext.ts': '',
    });
    const r = (spec: string) => resolveImport(root, 'a/importer.ts', spec);
    expect(r('./x.js')).toEqual({ kind: 'local', path: 'a/x.ts' });
    expect(r('./plain.js')).toEqual({ kind: 'local', path: 'a/plain.js' });
    expect(r('./both.js')).toEqual({ kind: 'local', path: 'a/both.ts' });
    expect(r('./m.mjs')).toEqual({ kind: 'local', path: 'a/m.mts' });
    expect(r('./dir')).toEqual({ kind: 'local', path: 'a/dir/index.ts' });
    expect(r('./t.json')).toEqual({ kind: 'local', path: 'a/t.json' });
    expect(r('./noext')).toEqual({ kind: 'local', path: 'a/noext.ts' });
    expect(r('./missing.js')).toEqual({ kind: 'unresolved', why: 'not-found' });
    expect(r('../../outside.js').kind).toBe('unresolved');
    expect(r('@tensorflow/tfjs/dist/x.js')).toEqual({ kind: 'package', name: '@tensorflow/tfjs' });
    expect(r('sharp')).toEqual({ kind: 'package', name: 'sharp' });
    expect(r('node:fs')).toEqual({ kind: 'ignored' });
    expect(r('fs')).toEqual({ kind: 'ignored' });
  });
});

describe('CodeClosure', () => {
  it('walks cycles once, names the nearest importer, excludes the roots, and collects packages', () => {
    const root = tree({
      'stage.ts': "import { a } from './lib/a.js';\nimport 'sharp';\n",
      'lib/a.ts': "import { b } from './b.js';\nexport const a = 1;\n",
      'lib/b.ts':
        "import { a } from './a.js';\nimport '../stage.js';\nimport x from '@scope/pkg/sub';\nexport const b = 2;\n",
    });
    const code = new CodeClosure(root).stageCode(['stage.ts']);
    expect(code.files).toEqual([
      { path: 'lib/a.ts', importer: 'stage.ts' },
      { path: 'lib/b.ts', importer: 'lib/a.ts' },
    ]);
    expect(code.packages.map((p) => [p.name, p.importer])).toEqual([
      ['@scope/pkg', 'lib/b.ts'],
      ['sharp', 'stage.ts'],
    ]);
    expect(code.warnings).toEqual([]);
  });

  it('parses a file again only when its stamp changes (the cache in .xpipe/state/code.json)', () => {
    const root = tree({ 'stage.ts': "import './a.js';\n", 'a.ts': "import './b.js';\n", 'b.ts': '' });
    const first = new CodeClosure(root);
    first.stageCode(['stage.ts']);
    expect(first.filesParsed).toBe(3);
    first.save();
    const second = new CodeClosure(root);
    expect(second.stageCode(['stage.ts']).files.map((f) => f.path)).toEqual(['a.ts', 'b.ts']);
    expect(second.filesParsed).toBe(0);
    fs.writeFileSync(path.join(root, 'a.ts'), "import './c.js';\n");
    fs.writeFileSync(path.join(root, 'c.ts'), '');
    const third = new CodeClosure(root);
    expect(third.stageCode(['stage.ts']).files.map((f) => f.path)).toEqual(['a.ts', 'c.ts']);
    expect(third.filesParsed).toBe(2);
  });

  it('warns about a relative import that names no file', () => {
    const root = tree({ 'stage.ts': "\nimport './gone.js';\n" });
    expect(new CodeClosure(root).stageCode(['stage.ts']).warnings).toEqual([
      { kind: 'unresolved-import', file: 'stage.ts', line: 2, specifier: './gone.js' },
    ]);
  });
});

describe('packageHash', () => {
  const lock = (over: LockPackages = {}): LockPackages => ({
    '': {},
    'node_modules/a': { version: '1.0.0', dependencies: { b: '^1' } },
    'node_modules/b': { version: '1.0.0' },
    'node_modules/a/node_modules/c': { version: '1.0.0' },
    'node_modules/other': { version: '1.0.0' },
    ...over,
  });
  it('changes with the package or a transitive dependency, not with unrelated packages', () => {
    const base = packageHash(lock(), 'a');
    expect(packageHash(lock({ 'node_modules/other': { version: '2.0.0' } }), 'a')).toBe(base);
    expect(packageHash(lock({ 'node_modules/b': { version: '1.0.1' } }), 'a')).not.toBe(base);
    expect(packageHash(lock({ 'node_modules/a': { version: '1.1.0', dependencies: { b: '^1' } } }), 'a')).not.toBe(
      base,
    );
    // A nested copy shadows the hoisted one for its parent.
    const nested = lock({ 'node_modules/a': { version: '1.0.0', dependencies: { b: '^1', c: '^1' } } });
    expect(packageHash({ ...nested, 'node_modules/a/node_modules/c': { version: '1.0.1' } }, 'a')).not.toBe(
      packageHash(nested, 'a'),
    );
  });
});

describe('diffStage code reasons', () => {
  const h = asContentHash;
  const entry = (code?: LockEntry['code'], packages?: LockEntry['packages']): LockEntry => ({
    definition: asStageKey('d'),
    deps: [],
    params: {},
    outs: [],
    ...(code ? { code } : {}),
    ...(packages ? { packages } : {}),
  });
  const current = (code: CurrentStage['code'], packages: CurrentStage['packages'] = []): CurrentStage => ({
    definition: asStageKey('d'),
    module: 's.ts',
    alwaysChanged: false,
    deps: [],
    params: {},
    outs: [],
    code,
    packages,
  });
  it('reports changed, added and removed files and packages, or an unrecorded closure', () => {
    const locked = entry(
      [
        { path: 'a.ts', hash: h('1') },
        { path: 'gone.ts', hash: h('2') },
      ],
      [
        { name: 'p', hash: 'x' },
        { name: 'q', hash: 'y' },
      ],
    );
    const cur = current(
      [
        { path: 'a.ts', hash: h('9'), importer: 's.ts' },
        { path: 'new.ts', hash: h('3'), importer: 'a.ts' },
      ],
      [{ name: 'p', hash: 'z', importer: 'a.ts' }],
    );
    expect(diffStage(locked, cur).reasons).toEqual([
      { kind: 'code-changed', path: 'a.ts', importer: 's.ts' },
      { kind: 'code-added', path: 'new.ts', importer: 'a.ts' },
      { kind: 'code-removed', path: 'gone.ts' },
      { kind: 'package-changed', name: 'p', importer: 'a.ts' },
      { kind: 'package-removed', name: 'q' },
    ]);
    expect(diffStage(entry(), current([])).reasons).toEqual([{ kind: 'code-unrecorded' }]);
    expect(
      diffStage(entry([{ path: 'a.ts', hash: h('1') }]), current([{ path: 'a.ts', hash: h('1'), importer: 's.ts' }]), {
        allowMissing: true,
      }).reasons,
    ).toEqual([]);
  });
});
