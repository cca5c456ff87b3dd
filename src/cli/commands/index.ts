/**
 * The command registry: ONE line per command. Modules load lazily so `xpipe --help` and a no-op
 * `xpipe repro` never load what other commands need. To add a command, add a line (see src/cli/README.md).
 */
import type { Command } from './types.js';

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<{ default: Command }>;
  /** Internal (run by xpipe itself, e.g. inside a cluster job): left out of help and command lists. */
  hidden?: boolean;
}

export const registry: readonly CommandEntry[] = [
  {
    name: 'repro',
    summary: 'Run the stale stages of the pipeline (or of the given stages) in dependency order',
    load: () => import('./repro.js'),
  },
  { name: 'status', summary: 'Show which stages are stale and why; --check for CI', load: () => import('./status.js') },
  {
    name: 'checkout',
    summary: 'Restore the outs recorded in pipeline.lock from the cache',
    load: () => import('./checkout.js'),
  },
  {
    name: 'cache',
    summary: 'Check every cache object against its hash (cache verify)',
    load: () => import('./cache-verify.js'),
  },
  {
    name: 'gc',
    summary: 'Remove cache objects and run-cache entries that nothing references',
    load: () => import('./gc.js'),
  },
  {
    name: 'push',
    summary: 'Upload the cached outs recorded in pipeline.lock to a remote (--run-cache: the run cache too)',
    load: () => import('./push.js'),
  },
  {
    name: 'fetch',
    summary: 'Download the cached outs recorded in pipeline.lock from a remote into cache/, verified',
    load: () => import('./fetch.js'),
  },
  {
    name: 'pull',
    summary: 'Fetch the outs recorded in pipeline.lock from a remote and restore them into the workspace',
    load: () => import('./pull.js'),
  },
  {
    name: 'remote',
    summary: 'Configure remotes that share the cache (remote add | list | remove | default | modify)',
    load: () => import('./remote.js'),
  },
  { name: 'dag', summary: 'Draw the stage graph (ASCII, Mermaid, DOT or JSON)', load: () => import('./dag.js') },
  {
    name: 'params',
    summary: 'Compare params between git revisions, the workspace and pipeline.lock (params diff)',
    load: () => import('./params-diff.js'),
  },
  {
    name: 'metrics',
    summary: 'Show metrics or compare them between revisions (metrics show | diff)',
    load: () => import('./metrics.js'),
  },
  {
    name: 'plots',
    summary: 'Write an offline HTML report (and PNGs) of the plots, comparing revisions or experiments',
    load: () => import('./plots.js'),
  },
  {
    name: 'exp',
    summary:
      'Run experiments with changed params (and sweeps), compare them, apply one (exp run | show | apply | remove)',
    load: () => import('./exp.js'),
  },
  {
    name: 'predict',
    summary: 'Classify new images with the trained model, the pipeline preprocessing and the tuned thresholds',
    load: () => import('./predict.js'),
  },
  {
    name: 'exec-stage',
    summary: 'Run one stage inside a cluster job (used by the Slurm executor)',
    load: () => import('./exec-stage.js'),
    hidden: true,
  },
];

/** The commands people use (help, "unknown command" lists). */
export const visibleCommands: readonly CommandEntry[] = registry.filter((c) => !c.hidden);

export function findCommand(name: string): CommandEntry | undefined {
  return registry.find((c) => c.name === name);
}
