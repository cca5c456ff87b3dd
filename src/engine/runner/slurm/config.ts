/**
 * The Slurm executor's settings: `executor.slurm` in .xpipe/config.yaml (merged with config.local.yaml),
 * i.e. default resources for every Slurm stage plus the executor's own knobs:
 *   executor:
 *     slurm:
 *       partition: gpu           # any resource field: cpus, mem, gpus, time, partition, account, qos, slurm_extra
 *       time: 2h
 *       poll_max: 10             # seconds between squeue calls at most (back-off ceiling)
 *       shared_fs: true          # the project directory is visible on the nodes (required for now)
 * Owns: validating those keys into diagnostics with file:line. Does not own: loading the files (project-config.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from '../../model/result.js';
import type { Diagnostic } from '../../model/diagnostic.js';
import { CONFIG_FILE, LOCAL_CONFIG_FILE, loadProjectConfig } from '../../config/project-config.js';
import { parseYaml } from '../../config/yaml-file.js';
import { parseResources, type StageResources } from './resources.js';

export interface SlurmSettings {
  defaults: StageResources;
  /** Back-off ceiling of the poller, ms. */
  pollMaxMs: number;
}

const OWN_KEYS = ['shared_fs', 'poll_max'] as const;

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
  if (shared === false) {
    return problem(
      'shared_fs',
      `"shared_fs: false" of ${where} is not supported yet: the Slurm executor needs the project directory on a filesystem the nodes share (jobs read deps and write outs in place). Remove the setting, or run from a shared directory.`,
    );
  }
  const pollMax = raw['poll_max'] ?? 10;
  if (typeof pollMax !== 'number' || !(pollMax > 0))
    return problem(
      'poll_max',
      `"poll_max" of ${where} must be a number of seconds > 0, got ${JSON.stringify(pollMax)}.`,
    );
  return ok({ defaults: defaults.value, pollMaxMs: Math.round(pollMax * 1000) });
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
