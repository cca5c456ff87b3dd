// The dependency rules of ARCHITECTURE (docs/development.md#architecture): the engine knows nothing of ML, the ML
// library knows nothing of the engine, CLI or stage API, and stage modules never import the engine.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sourceFiles(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** Every module specifier a file imports (static and dynamic), resolved to a project path when relative. */
function imports(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return specs.map((s) => (s.startsWith('.') ? path.join(path.dirname(file), s) : s));
}

function violations(dir: string, forbidden: RegExp): string[] {
  return sourceFiles(dir).flatMap((f) =>
    imports(f)
      .filter((s) => forbidden.test(s))
      .map((s) => `${f} imports ${s}`),
  );
}

describe('dependency rules', () => {
  it('src/engine imports neither src/ml, src/cli, tfjs nor sharp', () => {
    expect(violations('src/engine', /^src\/(ml|cli)\/|^@tensorflow\/|^sharp$/)).toEqual([]);
  });
  it('src/ml imports neither the engine, the CLI nor the stage API', () => {
    expect(violations('src/ml', /^src\/(engine|cli|stage-api)\//)).toEqual([]);
  });
  it('stage modules import the stage API and src/ml, never the engine or the CLI', () => {
    expect(violations('stages', /^src\/(engine|cli)\//)).toEqual([]);
  });
  it('src/shared (atomic writes, seeded RNG) imports nothing of the project: every layer may use it', () => {
    expect(violations('src/shared', /^src\/|^@tensorflow\/|^sharp$/)).toEqual([]);
  });
  it('the CLI imports the engine only through its façade, src/engine/index.ts', () => {
    expect(violations('src/cli', /^src\/engine\/(?!index\.js$)/)).toEqual([]);
  });
  it("nothing outside the engine imports the engine's cache modules", () => {
    const outside = ['src/cli', 'src/ml', 'src/stage-api', 'stages', 'bench'];
    expect(outside.flatMap((d) => violations(d, /^src\/engine\/cache\//))).toEqual([]);
  });
  it('only the predict command and its renderer import src/ml from the CLI, and only its public entry', () => {
    const mayImportMl = new Set(['src/cli/commands/predict.ts', 'src/cli/render/predict-views.ts']);
    const mlImports = sourceFiles('src/cli').flatMap((f) =>
      imports(f)
        .filter((s) => /^src\/ml\//.test(s))
        .map((s) => ({ f, s })),
    );
    expect(
      mlImports
        .filter(({ f, s }) => !mayImportMl.has(f) || s !== 'src/ml/index.js')
        .map(({ f, s }) => `${f} imports ${s}`),
    ).toEqual([]);
    expect(mlImports.map(({ f }) => f)).toContain('src/cli/commands/predict.ts');
  });
  it('only the CLI writes to the terminal: no console calls in src/engine or src/ml', () => {
    const offenders = [...sourceFiles('src/engine'), ...sourceFiles('src/ml')].filter((f) =>
      /^\s*console\.(log|info|warn|error)\(/m.test(readFileSync(path.join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
  it('the import scanner sees relative imports (guards against a rule that can never fail)', () => {
    expect(imports('stages/train.ts')).toContain('src/stage-api/index.js');
    expect(imports('src/cli/commands/repro.ts')).toContain('src/engine/index.js');
  });
});
