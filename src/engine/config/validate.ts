/**
 * Validates one expanded stage definition into a StageSpec: field names, types, paths.
 * Owns: the schema of a stage in pipeline.yaml and its error wording. Pure (no filesystem).
 * Does not own: params-key existence (params.ts), graph checks (graph/), dep existence (load-spec.ts).
 */
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic, SourceLocation } from '../model/diagnostic.js';
import { toProjectPath, type ProjectPath } from '../model/brands.js';
import type { DepSpec, OutKind, OutSpec, ParamSpec, PlotProps, StageSpec } from '../model/spec.js';
import type { YamlFile } from './yaml-file.js';
import type { ExpandedStage } from './expand.js';
import { parseResources } from '../runner/slurm/resources.js';

const STAGE_FIELDS = [
  'cmd',
  'module',
  'deps',
  'params',
  'outs',
  'metrics',
  'plots',
  'always_changed',
  'frozen',
  'desc',
  'wdir',
  'env',
  'executor',
  'resources',
  'meta',
] as const;
const OUT_FLAGS = ['cache', 'persist', 'desc', 'remote', 'push'] as const;
const PLOT_FLAGS = ['x', 'y', 'template', 'title', 'x_label', 'y_label'] as const;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/;

type Path = (string | number)[];

/** Validates `stage`; `defaultParamsFile` is the project-relative `params.yaml` (wdir-relative in DVC). */
export function validateStage(file: YamlFile, stage: ExpandedStage): Result<StageSpec, Diagnostic> {
  try {
    return ok(build(file, stage));
  } catch (e) {
    if (e instanceof ValidationFailure) return err(e.diagnostic);
    throw e;
  }
}

class ValidationFailure extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

function build(file: YamlFile, stage: ExpandedStage): StageSpec {
  const { name, def, basePath } = stage;
  const at = (path: Path, key = false) => file.locate([...basePath, ...path], { key });
  const fail = (code: Diagnostic['code'], path: Path, message: string, key = false): never => {
    throw new ValidationFailure({ code, message, location: at(path, key) });
  };
  const where = `stage "${name}"`;
  if (!NAME.test(name))
    fail(
      'wrong-type',
      [],
      `Stage name "${name}" may only contain letters, digits, "_", "-", "." and "@"; rename it.`,
      true,
    );
  for (const key of Object.keys(def)) {
    if (!(STAGE_FIELDS as readonly string[]).includes(key)) {
      fail(
        'unknown-field',
        [key],
        `Unknown field "${key}" in ${where}. Expected one of: ${STAGE_FIELDS.join(', ')}, foreach/do, matrix.`,
        true,
      );
    }
  }
  const str = (key: string): string | undefined => {
    const v = def[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.trim() === '')
      fail('wrong-type', [key], `Field "${key}" of ${where} must be a non-empty string, got ${describe(v)}.`);
    return v as string;
  };
  const bool = (key: string): boolean => {
    const v = def[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean')
      fail('wrong-type', [key], `Field "${key}" of ${where} must be true or false, got ${describe(v)}.`);
    return v as boolean;
  };
  const list = (key: string): unknown[] => {
    const v = def[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) fail('wrong-type', [key], `Field "${key}" of ${where} must be a list, got ${describe(v)}.`);
    return v as unknown[];
  };
  const projectPath = (base: string, p: unknown, path: Path, what: string): ProjectPath => {
    if (typeof p !== 'string' || p.trim() === '')
      return fail('wrong-type', path, `Each entry of "${what}" in ${where} must be a path string, got ${describe(p)}.`);
    const pp = toProjectPath(base, p);
    if (!pp || pp === '.')
      return fail(
        'bad-path',
        path,
        `Path "${p}" in "${what}" of ${where} is absolute or leaves the project; use a path relative to the stage's wdir that stays inside the project.`,
      );
    return pp;
  };

  const wdirRaw = str('wdir') ?? '.';
  const wdir =
    toProjectPath('', wdirRaw) ??
    fail(
      'bad-path',
      ['wdir'],
      `wdir "${wdirRaw}" of ${where} is absolute or leaves the project; use a relative path inside the project.`,
    );

  let cmdValue = def['cmd'];
  if (Array.isArray(cmdValue) && cmdValue.every((c) => typeof c === 'string')) cmdValue = cmdValue.join('\n');
  const cmd =
    cmdValue === undefined
      ? undefined
      : typeof cmdValue === 'string' && cmdValue.trim() !== ''
        ? cmdValue
        : fail(
            'wrong-type',
            ['cmd'],
            `Field "cmd" of ${where} must be a shell command string, got ${describe(cmdValue)}.`,
          );
  const moduleRaw = str('module');
  if (cmd !== undefined && moduleRaw !== undefined)
    fail('wrong-type', ['module'], `${cap(where)} has both "cmd" and "module"; keep exactly one.`, true);
  if (cmd === undefined && moduleRaw === undefined)
    fail(
      'missing-field',
      [],
      `${cap(where)} has neither "cmd" nor "module"; add a shell command (cmd:) or a TypeScript stage module (module:).`,
      true,
    );
  const command: StageSpec['command'] =
    cmd !== undefined
      ? { kind: 'cmd', cmd }
      : lazyLocation(
          {
            kind: 'module' as const,
            module: projectPath(wdir, moduleRaw, ['module'], 'module'),
            declared: moduleRaw as string,
          },
          () => at(['module']),
        );

  const deps: DepSpec[] = list('deps').map((d, i) =>
    lazyLocation({ path: projectPath(wdir, d, ['deps', i], 'deps'), declared: String(d) }, () => at(['deps', i])),
  );
  const params = parseParams(list('params'), wdir, where, at, fail);
  const outs: OutSpec[] = [];
  for (const [key, kind] of [
    ['outs', 'out'],
    ['metrics', 'metric'],
    ['plots', 'plot'],
  ] as const) {
    list(key).forEach((entry, i) => outs.push(parseOut(entry, kind, key, i, wdir, where, at, fail, projectPath)));
  }
  const env = list('env').map((e, i) =>
    typeof e === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e)
      ? e
      : fail(
          'wrong-type',
          ['env', i],
          `Each entry of "env" in ${where} must be an environment variable name, got ${describe(e)}.`,
        ),
  );
  const desc = str('desc');
  const executorRaw = str('executor');
  // Only the name's shape is checked here; which executors exist is known at run time (runner registry).
  if (executorRaw !== undefined && !/^[a-z][a-z0-9_-]*$/.test(executorRaw))
    fail(
      'wrong-type',
      ['executor'],
      `Field "executor" of ${where} must be an executor name such as local, got ${describe(executorRaw)}.`,
    );
  const resourcesRaw = def['resources'];
  const resources =
    resourcesRaw === undefined || resourcesRaw === null ? undefined : parseResources(resourcesRaw, where);
  if (resources && !resources.ok) {
    const unknown = resources.error.message.startsWith('Unknown');
    fail(
      unknown ? 'unknown-field' : 'wrong-type',
      resources.error.field ? ['resources', resources.error.field] : ['resources'],
      resources.error.message,
      unknown,
    );
  }
  return lazyLocation(
    {
      name,
      command,
      wdir,
      deps,
      params,
      outs,
      env,
      ...(executorRaw !== undefined ? { executor: lazyLocation({ name: executorRaw }, () => at(['executor'])) } : {}),
      ...(resources?.ok ? { resources: lazyLocation(resources.value, () => at(['resources'])) } : {}),
      alwaysChanged: bool('always_changed'),
      frozen: bool('frozen'),
      ...(desc !== undefined ? { desc } : {}),
    },
    () => file.locate(basePath.slice(0, 2), { key: true }),
  );
}

type Fail = (code: Diagnostic['code'], path: Path, message: string, key?: boolean) => never;
type At = (path: Path, key?: boolean) => Diagnostic['location'];

function parseParams(entries: unknown[], wdir: ProjectPath, where: string, at: At, fail: Fail): ParamSpec[] {
  const out: ParamSpec[] = [];
  // The default params file is the project's params.yaml (whatever the wdir); named files are wdir-relative.
  const defaultFile = 'params.yaml' as ProjectPath;
  entries.forEach((e, i) => {
    if (typeof e === 'string' && e.trim() !== '') {
      out.push(lazyLocation({ file: defaultFile, key: e }, () => at(['params', i])));
    } else if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
      for (const [f, keys] of Object.entries(e)) {
        const file =
          toProjectPath(wdir, f) ??
          fail('bad-path', ['params', i, f], `Params file "${f}" in ${where} is absolute or leaves the project.`, true);
        if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))
          fail(
            'wrong-type',
            ['params', i, f],
            `"${f}" in the params of ${where} must map to a list of keys, e.g. ${f}: [train.lr].`,
          );
        (keys as string[]).forEach((k, j) => out.push(lazyLocation({ file, key: k }, () => at(['params', i, f, j]))));
      }
    } else
      fail(
        'wrong-type',
        ['params', i],
        `Each entry of "params" in ${where} must be a key (train or model.arch) or a map {other.yaml: [key]}, got ${describe(e)}.`,
      );
  });
  return out;
}

function parseOut(
  entry: unknown,
  kind: OutKind,
  list: string,
  i: number,
  wdir: ProjectPath,
  where: string,
  at: At,
  fail: Fail,
  projectPath: (base: string, p: unknown, path: Path, what: string) => ProjectPath,
): OutSpec {
  if (typeof entry === 'string')
    return lazyLocation(
      { path: projectPath(wdir, entry, [list, i], list), declared: entry, kind, cache: true, persist: false },
      () => at([list, i]),
    );
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || Object.keys(entry).length !== 1) {
    return fail(
      'wrong-type',
      [list, i],
      `Each entry of "${list}" in ${where} must be a path or a one-key map {path: {cache: false}}, got ${describe(entry)}.`,
    );
  }
  const [declared, flagsRaw] = Object.entries(entry)[0] as [string, unknown];
  const flags = (flagsRaw ?? {}) as Record<string, unknown>;
  if (typeof flags !== 'object' || Array.isArray(flags))
    fail(
      'wrong-type',
      [list, i, declared],
      `The flags of "${declared}" in ${where} must be a map like {cache: false, persist: true}.`,
    );
  const allowed: readonly string[] = kind === 'plot' ? [...OUT_FLAGS, ...PLOT_FLAGS] : OUT_FLAGS;
  for (const [k, v] of Object.entries(flags)) {
    if (!allowed.includes(k))
      fail(
        'unknown-field',
        [list, i, declared, k],
        `Unknown flag "${k}" on "${declared}" in ${where}. Expected one of: ${allowed.join(', ')}.`,
        true,
      );
    if ((k === 'cache' || k === 'persist' || k === 'push') && typeof v !== 'boolean')
      fail(
        'wrong-type',
        [list, i, declared, k],
        `Flag "${k}" on "${declared}" in ${where} must be true or false, got ${describe(v)}.`,
      );
  }
  const plot: PlotProps = {};
  for (const k of PLOT_FLAGS) if (flags[k] !== undefined) (plot as Record<string, unknown>)[k] = flags[k];
  return lazyLocation(
    {
      path: projectPath(wdir, declared, [list, i], list),
      declared,
      kind,
      cache: flags['cache'] !== false,
      persist: flags['persist'] === true,
      ...(kind === 'plot' && Object.keys(plot).length > 0 ? { plot } : {}),
    },
    () => at([list, i], true),
  );
}

/**
 * Attaches `location` as a lazy, memoised, non-enumerable getter: locating needs the YAML document with
 * ranges, which a cached parse skips; it is only built when a diagnostic actually reads a location.
 */
function lazyLocation<T extends object>(
  obj: T,
  get: () => SourceLocation | undefined,
): T & { location?: SourceLocation } {
  let memo: SourceLocation | undefined | null = null;
  Object.defineProperty(obj, 'location', {
    enumerable: false,
    configurable: true,
    get: () => (memo === null ? (memo = get()) : memo),
  });
  return obj;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${JSON.stringify(v)} (${typeof v})`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
