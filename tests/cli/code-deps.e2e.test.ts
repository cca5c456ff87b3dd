// End-to-end: automatic code dependencies of module stages (the real CLI in a temp project). Editing a
// helper makes exactly its importers' stages stale, with the file and importer named; repro re-runs them
// (never restoring outs made by other code from the run cache); unrelated files, literal dynamic imports,
// non-literal ones (a warning) and package-lock.json changes.
import { afterEach, describe, expect, it } from 'vitest';
import { Project, STAGE_API_URL, stagesWith } from '../helpers/project-rig.js';

/** A stage module that writes `value` (computed by its imports) to out/<name>.txt and counts its runs. */
function stage(name: string, imports: string, value: string): string {
  return `import fs from 'node:fs';
import { defineStage } from '${STAGE_API_URL}';
${imports}
export default defineStage({
  async run(ctx) {
    fs.mkdirSync(ctx.path('out'), { recursive: true });
    fs.writeFileSync(ctx.path('out/${name}.txt'), String(${value}));
    fs.appendFileSync(ctx.path('counter'), '${name}\\n');
  },
});
`;
}

const PIPELINE = `stages:
  a:
    module: stages/a.ts
    outs: [out/a.txt]
  b:
    module: stages/b.ts
    outs: [out/b.txt]
  c:
    module: stages/c.ts
    outs: [out/c.txt]
`;

function helpers(): Record<string, string> {
  return {
    'pipeline.yaml': PIPELINE,
    // `.js` specifiers name the `.ts` siblings (TypeScript NodeNext style); b also imports a type only.
    'stages/a.ts': stage('a', "import { shared } from '../lib/shared.js';", 'shared()'),
    'stages/b.ts': stage(
      'b',
      "import { shared } from '../lib/shared.js';\nimport { onlyB } from '../lib/only-b.js';\nimport type { Other } from '../lib/other.js';",
      'shared() + onlyB',
    ),
    'stages/c.ts': stage('c', "import { other } from '../lib/other.js';", 'other'),
    'lib/shared.ts': 'export function shared(): string { return "s1"; }\n',
    'lib/only-b.ts': "import data from './table.json' with { type: 'json' };\nexport const onlyB: string = data.b;\n",
    'lib/table.json': '{"b": "b1"}\n',
    'lib/other.ts': 'export type Other = { x: number };\nexport const other = 42;\n',
    'lib/unrelated.ts': 'export const unrelated = 1;\n',
  };
}

let project: Project;
afterEach(() => project?.dispose());

describe('code dependencies of module stages', () => {
  it('an edited helper makes exactly its importers stale, names file and importer, and repro re-runs them', async () => {
    project = Project.create(helpers());
    const first = await project.run(['repro', '--json']);
    expect(first.code).toBe(0);
    expect(stagesWith(first.events, 'ran').sort()).toEqual(['a', 'b', 'c']);
    expect(project.read('pipeline.lock')).toContain('code:\n      - path: lib/shared.ts\n');
    expect((await project.run(['status'])).stdout).toBe('Pipeline is up to date.\n');

    project.write('lib/shared.ts', 'export function shared(): string { return "s2"; }\n');
    const st = await project.run(['status', '--json']);
    const stale = st.events.filter((e) => e['stale']).map((e) => [e['stage'], e['reasons']]);
    expect(stale).toEqual([
      ['a', [{ kind: 'code-changed', path: 'lib/shared.ts', importer: 'stages/a.ts' }]],
      ['b', [{ kind: 'code-changed', path: 'lib/shared.ts', importer: 'stages/b.ts' }]],
    ]);
    const text = await project.run(['status', '--check']);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(
      'a: stale\n    code lib/shared.ts changed (imported by stages/a.ts)\nb: stale\n    code lib/shared.ts changed (imported by stages/b.ts)\n',
    );

    // The run-cache key holds the code: the old outs are not restored for the new helper.
    const second = await project.run(['repro', '--json']);
    expect(stagesWith(second.events, 'ran').sort()).toEqual(['a', 'b']);
    expect(stagesWith(second.events, 'restored-run-cache')).toEqual([]);
    expect(project.read('out/a.txt')).toBe('s2');
    expect((await project.run(['status', '--check', '--allow-missing'])).code).toBe(0);

    // Back to the first helper: that run's outs come from the run cache.
    project.write('lib/shared.ts', 'export function shared(): string { return "s1"; }\n');
    const third = await project.run(['repro', '--json']);
    expect(stagesWith(third.events, 'restored-run-cache').sort()).toEqual(['a', 'b']);
    expect(project.read('out/a.txt')).toBe('s1');

    // A file nobody imports, and the type-only import of c's helper by b.
    project.write('lib/unrelated.ts', 'export const unrelated = 2;\n');
    project.write('lib/other.ts', 'export type Other = { x: string };\nexport const other = 42;\n');
    const after = await project.run(['status', '--json']);
    expect(after.events.filter((e) => e['stale']).map((e) => e['stage'])).toEqual(['c']);

    // A JSON file two imports deep, then a file joining the closure.
    project.write('lib/table.json', '{"b": "b2"}\n');
    expect((await project.run(['status'])).stdout).toContain(
      'b: stale\n    code lib/table.json changed (imported by lib/only-b.ts)\n',
    );
    project.write(
      'lib/only-b.ts',
      "import data from './table.json' with { type: 'json' };\nimport { unrelated } from './unrelated.js';\nexport const onlyB: string = data.b + unrelated;\n",
    );
    expect((await project.run(['status'])).stdout).toContain(
      '    code lib/unrelated.ts added (imported by lib/only-b.ts)\n',
    );
  });

  it('follows literal dynamic imports and warns about non-literal ones with file and line', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  d:\n    module: d.ts\n    outs: [out/d.txt]\n',
      'd.ts': stage(
        'd',
        "const { dyn } = await import('./lib/dyn.js');\nconst name = './lib/dyn.js';\nawait import(name);",
        'dyn',
      ),
      'lib/dyn.ts': 'export const dyn = 1;\n',
    });
    const r = await project.run(['repro']);
    expect(r.code).toBe(0);
    const warning = 'warning: d.ts:5: import() with a non-literal specifier: the files it loads are not tracked.';
    expect(r.stderr).toContain(warning);
    const st = await project.run(['status']);
    expect(st.stdout).toBe('Pipeline is up to date.\n');
    expect(st.stderr).toContain(warning);

    project.write('lib/dyn.ts', 'export const dyn = 2;\n');
    expect((await project.run(['status'])).stdout).toContain('code lib/dyn.ts changed (imported by d.ts)');

    // The comment marks the import as reviewed (its files declared in deps:): no warning.
    project.write(
      'd.ts',
      project.read('d.ts').replace('await import(name);', '// xpipe-dynamic-import: declared\nawait import(name);'),
    );
    expect((await project.run(['status'])).stderr).toBe('');
  });

  it('a package-lock.json change of an imported package or its dependency makes the stage stale', async () => {
    const lock = (depVersion: string, unrelated: string) =>
      JSON.stringify({
        name: 'p',
        lockfileVersion: 3,
        packages: {
          '': { name: 'p' },
          'node_modules/fakepkg': { version: '1.0.0', dependencies: { 'fake-dep': '^1.0.0' } },
          'node_modules/fake-dep': { version: depVersion },
          'node_modules/unrelated-pkg': { version: unrelated },
        },
      });
    project = Project.create({
      'pipeline.yaml': 'stages:\n  p:\n    module: p.ts\n    outs: [out/p.txt]\n',
      'p.ts': stage('p', "import { v } from 'fakepkg';", 'v'),
      'node_modules/fakepkg/package.json': '{"name":"fakepkg","type":"module","main":"index.js"}\n',
      'node_modules/fakepkg/index.js': 'export const v = 1;\n',
      'package-lock.json': lock('1.0.0', '1.0.0'),
    });
    expect((await project.run(['repro'])).code).toBe(0);
    expect(project.read('pipeline.lock')).toContain('packages:\n      - name: fakepkg\n');

    project.write('package-lock.json', lock('1.0.0', '2.0.0'));
    expect((await project.run(['status'])).stdout).toBe('Pipeline is up to date.\n');

    project.write('package-lock.json', lock('1.1.0', '2.0.0'));
    const st = await project.run(['status']);
    expect(st.stdout).toBe('p: stale\n    package fakepkg changed in package-lock.json (imported by p.ts)\n');
    const r = await project.run(['repro', '--json']);
    expect(stagesWith(r.events, 'ran')).toEqual(['p']);
  });
});
