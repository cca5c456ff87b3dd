/**
 * The CLI entry (bin/xpipe.js imports it): parse argv, dispatch to a lazily loaded command, map the result
 * to an exit code. The only place that sets process.exitCode. User errors never show a stack trace.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from './args.js';
import { findCommand, visibleCommands } from './commands/index.js';
import type { CommandIO, ExitCode } from './commands/types.js';
import { formatCommandHelp, formatMainHelp } from './render/help.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: CommandIO): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(formatMainHelp(visibleCommands, version()));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const entry = findCommand(name);
  if (!entry) {
    io.stderr.write(
      `error: unknown command "${name}". Commands: ${visibleCommands.map((c) => c.name).join(', ')}. Run "xpipe --help".\n`,
    );
    return 2;
  }
  const command = (await entry.load()).default;
  const parsed = parseArgs(rest, command.options, command.name, command.positionals);
  if (!parsed.ok) {
    io.stderr.write(`error: ${parsed.error.message}\n`);
    return 2;
  }
  if (parsed.value.options['help']) {
    io.stdout.write(formatCommandHelp(command));
    return 0;
  }
  return command.run(parsed.value, io);
}

const controller = new AbortController();
let interrupts = 0;
const onSignal = () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// `xpipe repro --json | head`: a closed stdout stops the run like Ctrl-C (running stages are killed,
// nothing half-committed) instead of crashing with EPIPE.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stdoutClosed = true;
  controller.abort();
});
const stdout = { write: (text: string) => (stdoutClosed ? false : process.stdout.write(text)) };

try {
  process.exitCode = await main(process.argv.slice(2), {
    cwd: process.cwd(),
    stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY === true,
    signal: controller.signal,
  });
} catch (e) {
  const error = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(
    `internal error: ${error.message} (this is a bug in xpipe; please report it with the output below)\n${error.stack ?? ''}\n`,
  );
  process.exitCode = 1;
}
