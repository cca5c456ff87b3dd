/**
 * The Slurm executor's settings: `executor.slurm` in .xpipe/config.yaml (merged with config.local.yaml),
 * i.e. default resources for every Slurm stage plus the executor's own knobs:
 *   executor:
 *     slurm:
 *       partition: gpu           # any resource field: cpus, mem, gpus, time, partition, account, qos, slurm_extra
 *       time: 2h
 *       poll_max: 10             # seconds between squeue calls at most (back-off ceiling)
 *       shared_fs: true          # the project directory is visible on the nodes (default)
 *       work_root: /scratch      # shared_fs: false only: where on a node a job makes its private work dir
 * With `shared_fs: false` the default remote carries deps and outs between the coordinator and the jobs
 * (./staging.ts), so one must be configured.
 * Owns: validating those keys into diagnostics with file:line. Does not own: loading the files (project-config.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from '../../model/result.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import {
  CONFIG_FILE,
  LOCAL_CONFIG_FILE,
  loadProjectConfig,
  resolveRemote,
  type RemoteConfig,
} from '../../config/project-config.js';
import { parseYaml } from '../../config/yaml-file.js';
import { parseResources, type StageResources } from './resources.js';

export interface SlurmSettings {
  defaults: StageResources;
  /** Back-off ceiling of the poller, ms. */
  pollMaxMs: number;
  /** Set when `shared_fs: false`: jobs work in a private directory and exchange data through `remote`. */
  isolated?: { remote: RemoteConfig; workRoot: string };
}

/** Where a job's private work dir goes when `work_root` is not set: a path every Linux node has. */
export const DEFAULT_WORK_ROOT = '/tmp';

const OWN_KEYS = ['shared_fs', 'poll_max', 'work_root'] as const;

export function loadSlurmSettings(root: string): Result<SlurmSettings, Diagnostic[]> {
  const config = loadProjectConfig(root);
  if (!config.ok) return config;
  const raw = config.value.executors['slurm'] ?? {};
  const where = `executor.slurm in ${CONFIG_FILE}`;
  const problem = (field: string, message: string): Result<SlurmSettings, Diagnostic[]> => {
    const location = locate(root, field);
    return err([{ code: 'wrong-type', message, ...(location ? { location } : {}) }]);
  };
  const defaults = parseResources(raw, where, OWN_KEYS);
  if (!defaults.ok) return problem(defaults.error.field, defaults.error.message);
  const shared = raw['shared_fs'];
  if (shared !== undefined && typeof shared !== 'boolean')
    return problem('shared_fs', `"shared_fs" of ${where} must be true or false.`);
  const workRoot = raw['work_root'] ?? DEFAULT_WORK_ROOT;
  // sbatch expands %j and friends in --output, so a % in the path would not name the directory.
  if (typeof workRoot !== 'string' || !path.posix.isAbsolute(workRoot) || workRoot.includes('%'))
    return problem(
      'work_root',
      `"work_root" of ${where} must be an absolute directory path on the nodes (without "%"), got ${JSON.stringify(workRoot)}.`,
    );
  let isolated: SlurmSettings['isolated'];
  if (shared === false) {
    const remote = resolveRemote(config.value);
    if (!remote.ok)
      return problem(
        'shared_fs',
        `"shared_fs: false" of ${where} needs a default remote: without a shared filesystem, jobs fetch their deps from it and push their outs to it. ${remote.error.message} The nodes must reach it too (a path they mount, or ssh:// or s3://). Or remove "shared_fs: false" if the nodes see the project directory.`,
      );
    isolated = { remote: remote.value, workRoot };
  }
  const pollMax = raw['poll_max'] ?? 10;
  if (typeof pollMax !== 'number' || !(pollMax > 0))
    return problem(
      'poll_max',
      `"poll_max" of ${where} must be a number of seconds > 0, got ${JSON.stringify(pollMax)}.`,
    );
  return ok({ defaults: defaults.value, pollMaxMs: Math.round(pollMax * 1000), ...(isolated ? { isolated } : {}) });
}

/** file:line of `executor.slurm.<field>` (the local file wins, as in merging); only for error messages. */
function locate(root: string, field: string): Diagnostic['location'] {
  for (const file of [LOCAL_CONFIG_FILE, CONFIG_FILE]) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, file), 'utf8');
    } catch {
      continue;
    }
    const y = parseYaml(file, text);
    const at = y.ok ? y.value.locate(['executor', 'slurm', ...(field ? [field] : [])]) : undefined;
    if (at) return at;
  }
  return undefined;
}
