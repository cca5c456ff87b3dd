// A StageContext for running a stage module in-process in tests, without the engine.
import path from 'node:path';
import type { StageContext } from '../../src/stage-api/index.js';

export interface TestContextOptions {
  root: string;
  params: Record<string, unknown>;
  name?: string;
  deps?: string[];
  outs?: string[];
  metrics?: string[];
  plots?: string[];
  /** Default: `<root>/.xpipe/scratch/<name>`. */
  scratchDir?: string;
}

export interface TestContext extends StageContext {
  /** Everything the stage logged, as `info: ...` / `warn: ...` lines. */
  readonly messages: string[];
}

export function makeTestContext(options: TestContextOptions): TestContext {
  const messages: string[] = [];
  const controller = new AbortController();
  return {
    name: options.name ?? 'test',
    root: options.root,
    wdir: options.root,
    params: options.params,
    deps: options.deps ?? [],
    outs: options.outs ?? [],
    metrics: options.metrics ?? [],
    plots: options.plots ?? [],
    scratchDir: options.scratchDir ?? path.join(options.root, '.xpipe', 'scratch', options.name ?? 'test'),
    path: (relative: string) => path.resolve(options.root, relative),
    log: {
      info: (m) => messages.push(`info: ${m}`),
      warn: (m) => messages.push(`warn: ${m}`),
    },
    progress: { start() {}, tick() {}, update() {}, done() {} },
    signal: controller.signal,
    messages,
  };
}
