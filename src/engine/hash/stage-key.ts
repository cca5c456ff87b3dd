/**
 * Canonical hashes of a stage definition and of a run-cache key.
 * Owns: which fields make up each key (commented below). Pure apart from reading process.version/env.
 */
import { asStageKey, type ContentHash, type StageKey } from '../model/brands.js';
import type { StageSpec } from '../model/spec.js';
import { canonicalJson, type ParamValues } from '../config/params.js';
import { hashBytes } from './hash-file.js';

/**
 * The definition hash. Every field that changes what the stage does or what it is checked against is in it:
 * the command (or module path + module file hash, since editing the module changes the work), wdir,
 * the declared deps/params/outs lists with out flags (adding or removing one makes the stage stale,
 * unlike DVC which compares only cmd), the env var names and always_changed.
 * Not in it: desc, frozen, executor and plot display props (they change no result).
 */
export function definitionHash(stage: StageSpec, moduleHash: ContentHash | undefined): StageKey {
  const command =
    stage.command.kind === 'cmd'
      ? { cmd: stage.command.cmd }
      : { module: stage.command.module, moduleHash: moduleHash ?? null };
  return asStageKey(
    hashBytes(
      canonicalJson({
        command,
        wdir: stage.wdir,
        deps: stage.deps.map((d) => d.path).sort(),
        params: stage.params.map((p) => `${p.file}:${p.key}`).sort(),
        outs: stage.outs
          .map((o) => ({ path: o.path, kind: o.kind, cache: o.cache, persist: o.persist }))
          .sort((a, b) => (a.path < b.path ? -1 : 1)),
        env: [...stage.env].sort(),
        alwaysChanged: stage.alwaysChanged,
      }),
    ),
  );
}

/** The environment a run depends on: Node version, platform, and the stage's declared env variables. */
export function runEnvironment(stage: StageSpec, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    vars: Object.fromEntries([...stage.env].sort().map((n) => [n, env[n] ?? null])),
  };
}

/** A module stage's code as it enters the run-cache key: closure file → hash, package → lock hash. */
export interface CodeKey {
  files: Record<string, string>;
  packages: Record<string, string>;
}

/**
 * The run-cache key: definition + every dep's hash + param values + environment (+ for module stages the
 * hash of every file the module imports and of every package it imports, so outs made by other code are
 * never restored). Two runs with equal keys are assumed to produce equal outs, so the outs of the earlier
 * run can be restored instead of running. `code` is left out of the hashed object for cmd stages so their
 * keys stay what they were.
 */
export function runKey(
  definition: StageKey,
  deps: Record<string, ContentHash>,
  params: ParamValues,
  environment: Record<string, unknown>,
  code?: CodeKey,
): StageKey {
  return asStageKey(hashBytes(canonicalJson({ definition, deps, params, environment, ...(code ? { code } : {}) })));
}
