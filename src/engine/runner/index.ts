/**
 * The default StageRunner: `cmd` stages through the shell, `module` stages in a stage-host child process.
 */
import type { StageRunner } from './types.js';
import { runShellStage } from './shell-stage.js';
import { runModuleStage } from './module-stage.js';

export const defaultRunner: StageRunner = {
  run: (req) => (req.stage.command.kind === 'cmd' ? runShellStage(req) : runModuleStage(req)),
};
