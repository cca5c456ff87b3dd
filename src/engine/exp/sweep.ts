/**
 * Parameter sets of an `exp run`: `-S key=value` overrides, `--sweep key=v1,v2` grids and
 * `--random N` samples over `key=loguniform(a,b)` style ranges.
 *
 * Owns: parsing those arguments (values are YAML scalars, so `0.01` is a number and `true` a boolean)
 * and expanding them into one override map per experiment. Pure; random sampling is seeded.
 * Does not own: applying overrides to params files (workdir.ts) or running anything.
 */
import { parse as parseYaml } from 'yaml';
import { err, ok, type Result } from '../model/result.js';
import { Mulberry32 } from '../../shared/rng.js';

/** Dotted params key → value, e.g. `{ 'train.lr': 0.01 }`. */
export type Overrides = Record<string, unknown>;

/** A range to sample from with `--random`. */
export type Distribution =
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'loguniform'; low: number; high: number }
  | { kind: 'randint'; low: number; high: number }
  | { kind: 'choice'; values: unknown[] };

export interface SweepArgs {
  /** `-S key=value`, applied to every experiment. */
  set: string[];
  /** `--sweep key=v1,v2,...`: the grid is the cross product. */
  sweep: string[];
  /** `--random N`: sample N experiments from the `--sweep` entries given as distributions. */
  random?: number;
  seed?: number;
}

const KEY = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

function splitAssignment(arg: string, flag: string): Result<[string, string], string> {
  const eq = arg.indexOf('=');
  const key = arg.slice(0, eq).trim();
  if (eq <= 0 || !KEY.test(key))
    return err(`${flag} '${arg}': expected key=value with a dotted params key, e.g. ${flag} train.lr=0.01.`);
  return ok([key, arg.slice(eq + 1).trim()]);
}

/** A YAML scalar: `0.01` → 0.01, `resnet18` → 'resnet18', `null` → null. */
export function parseScalar(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

/** Parses `loguniform(1e-4,1e-1)`, `uniform(a,b)`, `randint(a,b)`, `choice(a,b,c)`; undefined otherwise. */
export function parseDistribution(text: string): Result<Distribution, string> | undefined {
  const m = /^(uniform|loguniform|randint|choice)\((.*)\)$/.exec(text.trim());
  if (!m) return undefined;
  const args = m[2].split(',').map((s) => parseScalar(s.trim()));
  if (m[1] === 'choice')
    return args.length > 0 ? ok({ kind: 'choice', values: args }) : err(`choice() needs at least one value.`);
  const [low, high] = args;
  if (args.length !== 2 || typeof low !== 'number' || typeof high !== 'number' || !(low < high)) {
    return err(`${m[1]}(${m[2]}): expected two numbers low < high.`);
  }
  if (m[1] === 'loguniform' && low <= 0) return err(`loguniform(${m[2]}): both bounds must be positive.`);
  return ok({ kind: m[1] as 'uniform' | 'loguniform' | 'randint', low, high });
}

/** One override map per experiment, in grid order (first `--sweep` varies slowest). */
export function expandSweep(args: SweepArgs): Result<Overrides[], string> {
  const base: Overrides = {};
  for (const s of args.set) {
    const r = splitAssignment(s, '-S');
    if (!r.ok) return r;
    base[r.value[0]] = parseScalar(r.value[1]);
  }
  const axes: Array<{ key: string; values?: unknown[]; dist?: Distribution }> = [];
  for (const s of args.sweep) {
    const r = splitAssignment(s, '--sweep');
    if (!r.ok) return r;
    const [key, rhs] = r.value;
    const dist = parseDistribution(rhs);
    if (dist && !dist.ok) return err(`--sweep ${key}: ${dist.error}`);
    if (dist) axes.push({ key, dist: dist.value });
    else axes.push({ key, values: splitList(rhs).map(parseScalar) });
  }
  if (args.random !== undefined) return ok(sampleRandom(base, axes, args.random, args.seed ?? 0));
  const ranged = axes.find((a) => a.dist && a.dist.kind !== 'choice');
  if (ranged)
    return err(`--sweep ${ranged.key}: a range like loguniform(...) needs --random N (how many samples to draw).`);
  let sets: Overrides[] = [base];
  for (const axis of axes) {
    const values = axis.values ?? (axis.dist as { values: unknown[] }).values;
    sets = sets.flatMap((s) => values.map((v) => ({ ...s, [axis.key]: v })));
  }
  return ok(sets);
}

function splitList(rhs: string): string[] {
  return rhs
    .replace(/^\[(.*)\]$/, '$1')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function sampleRandom(
  base: Overrides,
  axes: Array<{ key: string; values?: unknown[]; dist?: Distribution }>,
  n: number,
  seed: number,
): Overrides[] {
  // mulberry32, the generator training uses, so `--random N --seed S` is reproducible.
  const rng = new Mulberry32(seed);
  const rand = () => rng.next();
  return Array.from({ length: n }, () => {
    const set: Overrides = { ...base };
    for (const a of axes) set[a.key] = a.dist ? sample(a.dist, rand) : a.values![Math.floor(rand() * a.values!.length)];
    return set;
  });
}

function sample(d: Distribution, rand: () => number): unknown {
  switch (d.kind) {
    case 'choice':
      return d.values[Math.floor(rand() * d.values.length)];
    case 'uniform':
      return round(d.low + rand() * (d.high - d.low));
    case 'loguniform':
      return round(Math.exp(Math.log(d.low) + rand() * (Math.log(d.high) - Math.log(d.low))));
    case 'randint':
      return Math.floor(d.low + rand() * (d.high - d.low + 1));
  }
}

/** Four significant digits keep sampled values readable in tables and params.yaml. */
const round = (x: number) => Number(x.toPrecision(4));
