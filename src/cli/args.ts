/**
 * Argument parsing against a command's typed option table: `--flag`, `-f`, `--name value`, `--name=value`,
 * `-j 4`, `-j4`, and `--` to end options. Returns a Result; never prints or exits.
 */
import { err, ok, type Result } from '../engine/index.js';
import type { OptionSpec } from './commands/types.js';

export interface ParsedArgs {
  options: Record<string, boolean | string | number | undefined>;
  positionals: string[];
  /** Every value of each `repeatable` option, in order (`-S a=1 -S b=2`); `options` holds the last one. */
  lists?: Record<string, string[]>;
}

export interface UsageError {
  message: string;
}

const HELP: OptionSpec = { name: 'help', short: 'h', type: 'boolean', description: 'Show help for this command' };

export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  command: string,
  positionalsAllowed = true,
): Result<ParsedArgs, UsageError> {
  const all = [...specs, HELP];
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  let lists: Record<string, string[]> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const [name, value] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      spec = all.find((s) => s.name === name);
      inline = value;
      if (!spec)
        return err({
          message: `Unknown option ${a} for "xpipe ${command}". Run "xpipe ${command} --help" to see its options.`,
        });
    } else if (a.startsWith('-') && a.length > 1) {
      spec = all.find((s) => s.short === a[1]);
      if (!spec)
        return err({
          message: `Unknown option ${a} for "xpipe ${command}". Run "xpipe ${command} --help" to see its options.`,
        });
      if (a.length > 2) inline = a.slice(2);
    } else {
      if (!positionalsAllowed) return err({ message: `"xpipe ${command}" takes no arguments, got "${a}".` });
      positionals.push(a);
      continue;
    }
    if (spec.type === 'boolean') {
      if (inline !== undefined) return err({ message: `Option --${spec.name} of "xpipe ${command}" takes no value.` });
      options[spec.name] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined)
      return err({ message: `Option --${spec.name} of "xpipe ${command}" needs a value (${spec.arg ?? 'VALUE'}).` });
    if (spec.type === 'number') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0)
        return err({
          message: `Option --${spec.name} of "xpipe ${command}" needs a non-negative integer, got "${raw}".`,
        });
      options[spec.name] = n;
    } else options[spec.name] = raw;
    if (spec.repeatable) ((lists ??= {})[spec.name] ??= []).push(raw);
  }
  return ok({ options, positionals, ...(lists ? { lists } : {}) });
}
