/**
 * Why a stage is stale, as data. `status`, `repro` and `--json` all print these.
 * Owns: the StaleReason union. Does not own: computing it (lock/diff-stage.ts) or wording (cli/render).
 */

/** One reason a stage must run. */
export type StaleReason =
  /** No lock entry: the stage never ran (or its entry was removed). */
  | { kind: 'never-run' }
  /** `always_changed: true`. */
  | { kind: 'always-changed' }
  /** `--force` on this stage. */
  | { kind: 'forced' }
  | { kind: 'cmd-changed'; old: string | undefined; new: string | undefined }
  /** The stage module file (or its path) changed. */
  | { kind: 'module-changed'; path: string }
  | { kind: 'dep-added'; path: string }
  | { kind: 'dep-removed'; path: string }
  | { kind: 'param-added'; key: string }
  | { kind: 'param-removed'; key: string }
  | { kind: 'out-added'; path: string }
  | { kind: 'out-removed'; path: string }
  /** Another part of the definition changed: wdir, out flags, env names, always_changed. */
  | { kind: 'definition-changed' }
  | { kind: 'dep-changed'; path: string }
  | { kind: 'dep-missing'; path: string }
  | { kind: 'param-changed'; key: string; old: unknown; new: unknown }
  | { kind: 'out-changed'; path: string }
  | { kind: 'out-missing'; path: string }
  /** --allow-missing: the lock's dep hash differs from the hash the upstream stage's lock entry records. */
  | { kind: 'dep-chain-mismatch'; path: string; upstream: string }
  /** dry run: an upstream stage would run, so this one may have to. */
  | { kind: 'upstream-would-run'; upstream: string }
  /** A file of the module's import closure changed; `importer` is the file that imports it. */
  | { kind: 'code-changed'; path: string; importer: string }
  /** A file joined the module's import closure. */
  | { kind: 'code-added'; path: string; importer: string }
  /** A file left the module's import closure (no longer imported, or deleted). */
  | { kind: 'code-removed'; path: string }
  /** The lock entry predates code tracking (no `code:` list): the closure was never recorded. */
  | { kind: 'code-unrecorded' }
  /** An imported package (or one of its dependencies) changed in package-lock.json. */
  | { kind: 'package-changed'; name: string; importer: string }
  | { kind: 'package-added'; name: string; importer: string }
  | { kind: 'package-removed'; name: string };

export type StaleReasonKind = StaleReason['kind'];

/**
 * Something in a module stage's code the engine cannot follow; reported by `status` and `repro`, never a
 * reason to run. `file`/`line` point at the import.
 */
export interface CodeWarning {
  kind:
    /** `import(expr)` whose specifier is not a string literal (and carries no xpipe-dynamic-import comment). */
    | 'non-literal-import'
    /** Neither es-module-lexer nor esbuild could read the file. */
    | 'parse-error'
    /** A relative import that names no file. */
    | 'unresolved-import'
    /** A relative import of a file outside the project (cannot be recorded in pipeline.lock). */
    | 'outside-project'
    /** A `#name` package.json subpath import (not followed). */
    | 'subpath-import';
  file: string;
  line: number;
  specifier?: string;
  message?: string;
}
