/**
 * Which StageRunner executes a stage: the `executor:` of the stage in pipeline.yaml, overridden for every
 * stage by `--executor NAME`, defaulting to `local`. Executors are registered by name; remote ones (Slurm)
 * add themselves here, and tests inject their own.
 * Owns: the name → runner table and resolving it per stage into a Result. Does not own: running.
 */
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { StageSpec } from '../model/spec.js';
import type { StageRunner } from './types.js';
import { localRunner } from './index.js';

export const DEFAULT_EXECUTOR = 'local';

export class RunnerRegistry {
  private readonly runners: ReadonlyMap<string, StageRunner>;

  constructor(runners: Record<string, StageRunner>) {
    this.runners = new Map(Object.entries(runners));
  }

  /** The registry every project starts with. */
  static builtIn(): RunnerRegistry {
    return new RunnerRegistry({
      [DEFAULT_EXECUTOR]: localRunner,
      slurm: lazyRunner(async () => new (await import('./slurm/runner.js')).SlurmRunner()),
    });
  }

  names(): string[] {
    return [...this.runners.keys()].sort();
  }

  /**
   * The runner of each stage: `override` (--executor) for all, else the stage's `executor:`, else local.
   * Every unknown name is reported, with the place it was written, before anything runs.
   */
  resolve(stages: readonly StageSpec[], override?: string): Result<Map<string, StageRunner>, Diagnostic[]> {
    const out = new Map<string, StageRunner>();
    const problems: Diagnostic[] = [];
    const known = this.names().join(', ');
    if (override !== undefined && !this.runners.has(override)) {
      return err([
        {
          code: 'unknown-executor',
          message: `Unknown executor "${override}" given with --executor. Known executors: ${known}.`,
        },
      ]);
    }
    for (const stage of stages) {
      const name = override ?? stage.executor?.name ?? DEFAULT_EXECUTOR;
      const runner = this.runners.get(name);
      if (runner) out.set(stage.name, runner);
      else {
        const location = stage.executor?.location;
        problems.push({
          code: 'unknown-executor',
          message: `Stage "${stage.name}" asks for executor "${name}", which this xpipe does not know. Known executors: ${known}. Fix "executor:" of the stage in pipeline.yaml, or remove it to run locally.`,
          ...(location ? { location } : {}),
        });
      }
    }
    return problems.length > 0 ? err(problems) : ok(out);
  }
}

/**
 * A runner whose module loads on first use (so `xpipe status` never loads the Slurm executor); one
 * instance per registry, i.e. per opened project, so all of a command's stages share its poller.
 */
export function lazyRunner(
  load: () => Promise<StageRunner>,
  opts: { preparesOuts?: boolean } = { preparesOuts: true },
): StageRunner {
  let runner: Promise<StageRunner> | undefined;
  const get = () => (runner ??= load());
  return {
    ...(opts.preparesOuts ? { preparesOuts: true } : {}),
    run: async (request) => (await get()).run(request),
    check: async (root, stages) => (await (await get()).check?.(root, stages)) ?? [],
  };
}
