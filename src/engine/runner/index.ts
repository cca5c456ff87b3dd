/**
 * The `local` StageRunner: `cmd` stages through the shell, `module` stages in a stage-host child process.
 * Both are imported lazily: execa and its dependencies cost ~100 ms of startup that a no-op repro never needs.
 */
import type { StageRunner } from './types.js';

export const localRunner: StageRunner = {
  async run(req) {
    if (req.stage.command.kind === 'cmd') return (await import('./shell-stage.js')).runShellStage(req);
    return (await import('./module-stage.js')).runModuleStage(req);
  },
};
