/**
 * The import specifiers of one JS/TS source file, found with es-module-lexer (a real ES-module lexer, run on
 * the TypeScript source as is: it skips type annotations and generics, see docs/code-deps.md).
 * Owns: which imports count at run time. Does not own: resolving specifiers (resolve-import.ts).
 *
 * Counted: static imports/re-exports, `import('literal')`. Not counted: `import type` / `export type`,
 * `import { type A, type B }` (TypeScript erases all three), `typeof import('x')` type queries and
 * `import.meta`. A value import whose names are used only as types is erased at run time too, but it is
 * counted: over-tracking costs a re-run, under-tracking a stale result.
 */
import { createRequire } from 'node:module';

/** One import the file makes at run time. */
export interface ParsedImport {
  specifier: string;
  line: number;
}

/** Something in the file the engine cannot follow. */
export interface ParseProblem {
  kind: 'non-literal-import' | 'parse-error';
  line: number;
  /** parse-error: the lexer's message. */
  message?: string;
}

/** What a file imports; plain JSON so it can be cached. */
export interface ParsedFile {
  imports: ParsedImport[];
  problems: ParseProblem[];
}

/** A comment on a non-literal import() (same line or the line above) saying its files are declared as deps. */
export const DYNAMIC_IMPORT_PRAGMA = 'xpipe-dynamic-import';

interface Lexer {
  initSync(): void;
  parse(
    source: string,
    name?: string,
  ): readonly [
    ReadonlyArray<{ n: string | undefined; t: number; s: number; e: number; ss: number; se: number; d: number }>,
    ...unknown[],
  ];
}

const require = createRequire(import.meta.url);
let lexer: Lexer | undefined;

/** Loaded on first use, synchronously: a no-op status with every file cached never pays for it. */
function getLexer(): Lexer {
  if (!lexer) {
    lexer = require('es-module-lexer') as Lexer;
    lexer.initSync();
  }
  return lexer;
}

const TYPE_ONLY_STATEMENT = /^(?:import|export)\s+type(?:\s*[{*]|\s+(?!from\s*['"])[A-Za-z_$])/;
const BRACED = /^(?:import|export)\s*\{([^}]*)\}\s*from\b/;

/** True for statements TypeScript erases entirely. */
function isTypeOnly(statement: string): boolean {
  if (TYPE_ONLY_STATEMENT.test(statement)) return true;
  const braced = BRACED.exec(statement);
  if (!braced) return false;
  const names = braced[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.length > 0 && names.every((n) => /^type\s/.test(n));
}

/** Lists the run-time imports of `source` (TypeScript or JavaScript). `file` only names it in messages. */
export function parseImports(source: string, file: string): ParsedFile {
  let records: ReturnType<Lexer['parse']>[0];
  try {
    records = getLexer().parse(source, file)[0];
  } catch (e) {
    const stripped = stripTypes(source, file);
    if (stripped === undefined)
      return { imports: [], problems: [{ kind: 'parse-error', line: errorLine(e), message: (e as Error).message }] };
    return parseImports(stripped, file);
  }
  const lineOf = lineCounter(source);
  const imports: ParsedImport[] = [];
  const problems: ParseProblem[] = [];
  for (const r of records) {
    if (r.t === 3) continue; // import.meta
    if (r.t === 2) {
      if (/typeof\s*$/.test(source.slice(Math.max(0, r.ss - 20), r.ss))) continue; // a type query
      const line = lineOf(r.ss);
      if (r.n !== undefined) imports.push({ specifier: r.n, line });
      else if (!hasPragma(source, r.ss)) problems.push({ kind: 'non-literal-import', line });
      continue;
    }
    if (r.n === undefined) continue;
    if (isTypeOnly(source.slice(r.ss, r.se))) continue;
    imports.push({ specifier: r.n, line: lineOf(r.ss) });
  }
  return { imports, problems };
}

/** The pragma on the import's line or the line before it. */
function hasPragma(source: string, at: number): boolean {
  const lineStart = source.lastIndexOf('\n', at - 1) + 1;
  const prevStart = lineStart === 0 ? 0 : source.lastIndexOf('\n', lineStart - 2) + 1;
  const lineEnd = source.indexOf('\n', at);
  return source.slice(prevStart, lineEnd === -1 ? undefined : lineEnd).includes(DYNAMIC_IMPORT_PRAGMA);
}

/** 1-based line of an offset; offsets are asked for in increasing order, so one pass over the text. */
function lineCounter(source: string): (offset: number) => number {
  let pos = 0;
  let line = 1;
  return (offset) => {
    if (offset < pos) {
      pos = 0;
      line = 1;
    }
    for (; pos < offset; pos++) if (source.charCodeAt(pos) === 10) line++;
    return line;
  };
}

function errorLine(e: unknown): number {
  const m = /:(\d+):\d+/.exec(String((e as Error)?.message ?? ''));
  return m ? Number(m[1]) : 1;
}

/**
 * Fallback for TypeScript syntax the lexer rejects: strip types with esbuild (installed with tsx, which runs
 * module stages). Slow to start (~150 ms), so only used when the lexer fails. Undefined if that fails too.
 */
function stripTypes(source: string, file: string): string | undefined {
  if (!/\.[cm]?tsx?$/.test(file)) return undefined;
  try {
    const esbuild = require('esbuild') as { transformSync(code: string, o: object): { code: string } };
    return esbuild.transformSync(source, { loader: file.endsWith('x') ? 'tsx' : 'ts', format: 'esm', sourcefile: file })
      .code;
  } catch {
    return undefined;
  }
}
