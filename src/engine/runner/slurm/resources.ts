/**
 * Slurm resources of a stage (`resources:` in pipeline.yaml, defaults under `executor.slurm` in
 * .xpipe/config.yaml): parsing with one error wording, merging, and the sbatch flags they become.
 * Owns: the resource vocabulary and units. Pure: no processes, no files.
 * Does not own: where the values come from (config/validate.ts, ./config.ts) or submitting (./slurm-cli.ts).
 */
import { err, ok, type Result } from '../../model/result.js';

/** Validated resources; absent fields take the config default, then Slurm's own default. */
export interface StageResources {
  cpus?: number;
  /** Memory per node in MiB (`mem: 16G` → 16384). */
  memMiB?: number;
  gpus?: number;
  /** Wall-time limit in minutes (Slurm's granularity). */
  timeMinutes?: number;
  partition?: string;
  account?: string;
  qos?: string;
  /** Raw sbatch flags, one argv entry each (no shell: `--constraint=a100` stays one argument). */
  slurmExtra?: string[];
}

export const RESOURCE_FIELDS = ['cpus', 'mem', 'gpus', 'time', 'partition', 'account', 'qos', 'slurm_extra'] as const;
export type ResourceField = (typeof RESOURCE_FIELDS)[number];

/** A problem with one field: the field and a sentence that completes "field ... must ...". */
export interface ResourceProblem {
  field: string;
  message: string;
}

/** Parses a `resources:` map. `where` names it in messages (`stage "train"`, `executor.slurm in .xpipe/config.yaml`). */
export function parseResources(
  raw: unknown,
  where: string,
  extraFields: readonly string[] = [],
): Result<StageResources, ResourceProblem> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return err({
      field: '',
      message: `"resources" of ${where} must be a map such as { cpus: 4, mem: 16G, time: 2h }, got ${describe(raw)}.`,
    });
  }
  const out: StageResources = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (extraFields.includes(k)) continue;
    const bad = (expected: string): Result<StageResources, ResourceProblem> =>
      err({ field: k, message: `Resource "${k}" of ${where} must be ${expected}, got ${describe(v)}.` });
    switch (k as ResourceField) {
      case 'cpus':
      case 'gpus': {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < (k === 'gpus' ? 0 : 1))
          return bad(k === 'gpus' ? 'a whole number >= 0' : 'a whole number >= 1');
        out[k as 'cpus' | 'gpus'] = v;
        break;
      }
      case 'mem': {
        const mib = parseMem(v);
        if (mib === undefined) return bad('a size such as 512M, 16G or 1T (a bare number is MiB)');
        out.memMiB = mib;
        break;
      }
      case 'time': {
        const minutes = parseTime(v);
        if (minutes === undefined) return bad("a duration such as 30m, 2h, 1d, 90 (minutes) or Slurm's [D-]HH:MM:SS");
        out.timeMinutes = minutes;
        break;
      }
      case 'partition':
      case 'account':
      case 'qos': {
        if (typeof v !== 'string' || !/^[A-Za-z0-9_.,-]+$/.test(v))
          return bad('a Slurm name (letters, digits, "_", "-", ".", ",")');
        out[k as 'partition' | 'account' | 'qos'] = v;
        break;
      }
      case 'slurm_extra': {
        const flags =
          typeof v === 'string'
            ? v.trim().split(/\s+/).filter(Boolean)
            : Array.isArray(v) && v.every((x) => typeof x === 'string')
              ? v
              : undefined;
        if (!flags || flags.some((f) => !f.startsWith('-')))
          return bad(
            'sbatch flags, as a string "--constraint=a100 --exclusive" or a list of flags (each starting with "-")',
          );
        out.slurmExtra = flags;
        break;
      }
      default:
        return err({
          field: k,
          message: `Unknown resource "${k}" in ${where}. Known: ${[...RESOURCE_FIELDS, ...extraFields].join(', ')}.`,
        });
    }
  }
  return ok(out);
}

/** Stage values win over defaults field by field; extra flags add up (defaults first). */
export function mergeResources(defaults: StageResources, stage: StageResources): StageResources {
  const merged: StageResources = { ...defaults, ...stage };
  const extra = [...(defaults.slurmExtra ?? []), ...(stage.slurmExtra ?? [])];
  if (extra.length > 0) merged.slurmExtra = extra;
  else delete merged.slurmExtra;
  return merged;
}

/** The sbatch flags for `r` (each one argv entry). */
export function sbatchResourceArgs(r: StageResources): string[] {
  const a: string[] = [];
  if (r.cpus !== undefined) a.push(`--cpus-per-task=${r.cpus}`);
  if (r.memMiB !== undefined) a.push(`--mem=${r.memMiB}M`);
  if (r.gpus !== undefined && r.gpus > 0) a.push(`--gpus=${r.gpus}`);
  if (r.timeMinutes !== undefined) a.push(`--time=${r.timeMinutes}`);
  if (r.partition !== undefined) a.push(`--partition=${r.partition}`);
  if (r.account !== undefined) a.push(`--account=${r.account}`);
  if (r.qos !== undefined) a.push(`--qos=${r.qos}`);
  return [...a, ...(r.slurmExtra ?? [])];
}

const MEM_UNITS: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

/** `16G` → 16384 (MiB); `512M`, `1.5G`, `512` (MiB, like sbatch). Undefined when not a size. */
export function parseMem(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT])?(?:i?B)?\s*$/i.exec(v);
  if (!m) return undefined;
  const mib = Math.ceil(Number(m[1]) * (MEM_UNITS[(m[2] ?? 'M').toUpperCase()] ?? 1));
  return mib > 0 ? mib : undefined;
}

/**
 * `2h` → 120, `30m`, `1d`, `1h30m`, `90` (minutes), `1:30:00`, `2-00:00:00` → minutes, rounded up: Slurm's
 * limits have minute granularity. Undefined when not a duration.
 */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  let seconds: number | undefined;
  const units = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\s*(?:(\d+)s)?$/i.exec(s);
  const clock = /^(?:(\d+)-)?(\d+):(\d{1,2})(?::(\d{1,2}))?$/.exec(s);
  if (/^\d+$/.test(s)) seconds = Number(s) * 60;
  else if (units && s !== '')
    seconds =
      Number(units[1] ?? 0) * 86400 + Number(units[2] ?? 0) * 3600 + Number(units[3] ?? 0) * 60 + Number(units[4] ?? 0);
  else if (clock) {
    // H:MM:SS, or D-H:MM[:SS]; a bare MM:SS is minutes:seconds as in sbatch.
    const [d, a, b, c] = [Number(clock[1] ?? 0), Number(clock[2]), Number(clock[3]), clock[4]];
    seconds =
      d * 86400 +
      (c !== undefined ? a * 3600 + b * 60 + Number(c) : clock[1] !== undefined ? a * 3600 + b * 60 : a * 60 + b);
  }
  if (seconds === undefined || seconds <= 0) return undefined;
  return Math.ceil(seconds / 60);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${JSON.stringify(v)} (${typeof v})`;
}
