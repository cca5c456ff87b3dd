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
  | { kind: 'upstream-would-run'; upstream: string };

export type StaleReasonKind = StaleReason['kind'];
