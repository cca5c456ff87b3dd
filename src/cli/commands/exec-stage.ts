/**
 * `xpipe exec-stage REQUEST` (hidden): what a Slurm job runs on its node. Runs the one stage described by
 * the request file the coordinator wrote, prints its log and progress lines (they go to the job's log
 * file), and writes the result record. Not for people: `xpipe repro` submits it.
 */
import type { Command, ExitCode } from './types.js';

const command: Command = {
  name: 'exec-stage',
  summary: 'Run one stage inside a cluster job (used by the Slurm executor)',
  usage: 'xpipe exec-stage REQUEST_FILE|-',
  positionals: true,
  options: [],
  examples: [],
  async run(args, io): Promise<ExitCode> {
    const [requestFile, ...rest] = args.positionals;
    if (requestFile === undefined || rest.length > 0) {
      io.stderr.write(
        'error: exec-stage takes exactly one argument, the job request file written by "xpipe repro" (or - for stdin).\n',
      );
      return 2;
    }
    const { TextReporter } = await import('../render/text.js');
    const { runStageJob } = await import('../../engine/index.js');
    // The job log is a file: plain lines, no live progress redraws.
    const reporter = new TextReporter(io.stdout, io.stdout, false);
    const outcome = await runStageJob(requestFile, io.signal, (e) => reporter.handle(e));
    if (!outcome.ok) {
      io.stderr.write(`error: ${outcome.message}\n`);
      return 2;
    }
    // The stage's own exit code becomes the job's (Slurm shows it as ExitCode=N:0).
    return outcome.exitCode as ExitCode;
  },
};

export default command;
