// End-to-end: xpipe as another project uses it. Packs xpipe the way `npm publish` would (prepack + prepare
// in a clean copy of the package sources, so a stale dist/ cannot hide a missing file), installs the
// tarball into a temp project outside the repo, and drives that project's own pipeline with `npx xpipe`.
// Slow (a tsc build, an npm install, a type check: 1.5-3 min on a loaded 2-core machine), so it has its own
// vitest config and file pattern: `npm run test:pack` runs it (and .ci/run), `npm test` does not.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/**
 * What `npm pack` needs from a checkout: package metadata, the launcher, the sources and build config, and
 * native/ because the prepare script builds the optional native kernels (not shipped: `files` is bin/, dist/).
 */
const PACKAGE_SOURCES = [
  'package.json',
  'README.md',
  'LICENSE',
  'tsconfig.json',
  'tsconfig.build.json',
  'bin',
  'src',
  'native/build.mjs',
  'native/onednn.cc',
];
const devVersion = (name: string): string =>
  (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
    .devDependencies[name];

const STAGE = `import fs from 'node:fs';
import { defineStage } from 'xpipe';
import { shout } from '../lib/shout.js';

export default defineStage({
  run(ctx) {
    const words = fs.readFileSync(ctx.path('data/words.txt'), 'utf8');
    fs.mkdirSync(ctx.path('out'), { recursive: true });
    fs.writeFileSync(ctx.path('out/shout.txt'), shout(words));
    fs.appendFileSync(ctx.path('runs.log'), 'shout\\n');
  },
});
`;

const PROJECT_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'demo-pipeline', private: true, type: 'module' }, null, 2),
  // No source files listed: the stage module and what it imports are the engine's business.
  'pipeline.yaml':
    'stages:\n  shout:\n    module: stages/shout.ts\n    deps: [data/words.txt]\n    outs: [out/shout.txt]\n',
  'data/words.txt': 'hello pipeline\n',
  'stages/shout.ts': STAGE,
  'lib/shout.ts': 'export function shout(text: string): string {\n  return `${text.trim().toUpperCase()}!\\n`;\n}\n',
  'lib/unused.ts': 'export const unused = 1;\n',
  'notes.md': '# notes\n',
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      include: ['check.ts', 'stages/**/*.ts', 'lib/**/*.ts'],
    },
    null,
    2,
  ),
  // Compiles only if both entry points resolve to real declarations: with `any` types the expected
  // errors below would not occur, and an unused expect-error directive is itself an error.
  'check.ts': `import { defineStage, StageInputError, type StageContext } from 'xpipe';
import * as engine from 'xpipe/engine';

export const stage = defineStage({ run(ctx: StageContext) { if (!ctx.name) throw new StageInputError('no name'); } });
// @ts-expect-error ctx.name is a string
defineStage({ run(ctx) { const n: number = ctx.name; void n; } });
// @ts-expect-error run is required
defineStage({});
// @ts-expect-error not an export of the engine's API
export const missing: keyof typeof engine = 'no-such-export';
export const names: Array<keyof typeof engine> = Object.keys(engine) as Array<keyof typeof engine>;
`,
};

/** The parent's environment minus npm's per-run variables, which would point a nested npm at the repo. */
function cleanEnv(): Record<string, string> {
  const keep = /^(PATH|HOME|TMPDIR|LANG|SystemRoot|https?_proxy|no_proxy|npm_config_(cache|registry|userconfig))$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => keep.test(e[0]) && e[1] !== undefined),
  );
}

let work: string;
let project: string;
let packed: string[];

function write(rel: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
  fs.writeFileSync(path.join(project, rel), content);
}
const runs = (): number => fs.readFileSync(path.join(project, 'runs.log'), 'utf8').split('\n').filter(Boolean).length;

async function xpipe(args: string[]): Promise<{ code: number; stdout: string; stderr: string; ran: string[] }> {
  const r = await execa('npx', ['--no', 'xpipe', ...args], {
    cwd: project,
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
  });
  const events = String(r.stdout)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const ran = events.filter((e) => e['reason'] === 'ran').map((e) => String(e['stage']));
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), ran };
}

beforeAll(async () => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-pack-')));
  const src = path.join(work, 'xpipe-src');
  for (const rel of PACKAGE_SOURCES) {
    if (fs.existsSync(path.join(REPO, rel))) fs.cpSync(path.join(REPO, rel), path.join(src, rel), { recursive: true });
  }
  // tsc (prepare) needs the repo's dev tools; nothing from node_modules ends up in the tarball.
  fs.symlinkSync(fs.realpathSync(path.join(REPO, 'node_modules')), path.join(src, 'node_modules'), 'dir');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: src,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  const info = (
    JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>
  )[0];
  packed = info.files.map((f) => f.path);

  project = path.join(work, 'demo');
  for (const [rel, content] of Object.entries(PROJECT_FILES)) write(rel, content);
  await execa(
    'npm',
    [
      'install',
      '--save-dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(work, info.filename),
      `typescript@${devVersion('typescript')}`,
      `@types/node@${devVersion('@types/node')}`,
    ],
    { cwd: project, env: cleanEnv(), extendEnv: false },
  );
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('xpipe installed from its packed tarball into another project', () => {
  it('ships the launcher, the compiled code and its declarations, and nothing else', () => {
    for (const f of [
      'package.json',
      'bin/xpipe.js',
      'dist/cli/main.js',
      'dist/stage-api/index.js',
      'dist/stage-api/index.d.ts',
      'dist/engine/index.js',
      'dist/engine/index.d.ts',
    ]) {
      expect(packed).toContain(f);
    }
    const unexpected = packed.filter(
      (f) => !/^(package\.json|README\.md|LICENSE|bin\/xpipe\.js|dist\/.+\.(js|d\.ts))$/.test(f),
    );
    expect(unexpected).toEqual([]);
    // The ML packages are this repository's own devDependencies, not the tool's.
    const installed = fs.readdirSync(path.join(project, 'node_modules'));
    expect(installed).not.toContain('sharp');
    expect(installed).not.toContain('@tensorflow');
  });

  it('npx xpipe repro runs a module stage that imports defineStage from xpipe and a local helper', async () => {
    const r = await xpipe(['repro', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.ran).toEqual(['shout']);
    expect(fs.readFileSync(path.join(project, 'out/shout.txt'), 'utf8')).toBe('HELLO PIPELINE!\n');
    expect(runs()).toBe(1);
  });

  it('editing a file the stage does not import re-runs nothing', async () => {
    write('notes.md', '# notes\n\nedited\n');
    write('lib/unused.ts', 'export const unused = 2;\n');
    const r = await xpipe(['repro', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.ran).toEqual([]);
    expect(runs()).toBe(1);
    const st = await xpipe(['status', '--check']);
    expect(st.stdout + st.stderr).toBe('');
    expect(st.code).toBe(0);
  });

  it('the stage API and the engine API type-check from the installed package', async () => {
    const r = await execa(path.join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
      cwd: project,
      env: cleanEnv(),
      extendEnv: false,
      reject: false,
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const probe = await execa(
      'node',
      [
        '--input-type=module',
        '-e',
        "const api = await import('xpipe'); const engine = await import('xpipe/engine'); console.log(typeof api.defineStage, Object.keys(engine).length > 0);",
      ],
      { cwd: project, env: cleanEnv(), extendEnv: false },
    );
    expect(probe.stdout).toBe('function true');
  });

  it('commands that need the ML packages say what to install', async () => {
    const predict = await xpipe(['predict', 'scan.png']);
    expect(predict.code).toBe(2);
    expect(predict.stderr).toContain(
      'xpipe predict needs @tensorflow/tfjs, @tensorflow/tfjs-backend-wasm, sharp, which are not installed',
    );
    expect(predict.stderr).toContain('npm install --save-dev @tensorflow/tfjs @tensorflow/tfjs-backend-wasm sharp');
    const png = await xpipe(['plots', 'show', '--png', 'charts']);
    expect(png.code).toBe(2);
    expect(png.stderr).toContain('xpipe plots --png needs sharp, which is not installed');
  });

  // Needs automatic code dependencies (module import closure); pipeline.yaml above lists no source file.
  it('editing the local helper the stage imports re-runs the stage', async () => {
    write(
      'lib/shout.ts',
      'export function shout(text: string): string {\n  return `${text.trim().toUpperCase()}!!\\n`;\n}\n',
    );
    const r = await xpipe(['repro', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.ran).toEqual(['shout']);
    expect(fs.readFileSync(path.join(project, 'out/shout.txt'), 'utf8')).toBe('HELLO PIPELINE!!\n');
    expect(runs()).toBe(2);
  });
});
