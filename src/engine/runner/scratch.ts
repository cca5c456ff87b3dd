/**
 * Scratch directories: engine-owned state that survives a stage's runs but is neither an out nor in the
 * cache (training checkpoints, per-image caches), at `.xpipe/scratch/<stage>/`. Module stages get it as
 * `ctx.scratchDir`, cmd stages as `$XPIPE_SCRATCH_DIR`; `xpipe gc --scratch` clears them.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SCRATCH_DIR = path.join('.xpipe', 'scratch');

/** Absolute scratch directory of a stage. */
export function scratchDir(root: string, stage: string): string {
  return path.join(root, SCRATCH_DIR, encodeURIComponent(stage));
}

/** Creates the stage's scratch directory before it runs; returns its absolute path. */
export function makeScratchDir(root: string, stage: string): string {
  const dir = scratchDir(root, stage);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
