/**
 * Help text: the command list, and each command's usage, options and examples.
 */
import type { Command } from '../commands/types.js';
import type { CommandEntry } from '../commands/index.js';

export function formatMainHelp(entries: readonly CommandEntry[], version: string): string {
  const width = Math.max(...entries.map((e) => e.name.length));
  return [
    `xpipe ${version}: declarative, content-hashed pipelines (DVC-style)`,
    '',
    'Usage: xpipe <command> [options]',
    '',
    'Commands:',
    ...entries.map((e) => `  ${e.name.padEnd(width)}  ${e.summary}`),
    '',
    'Run "xpipe <command> --help" for a command\'s options and examples.',
    'Examples:',
    '  xpipe repro                 run every stale stage',
    '  xpipe status --check        exit 1 if pipeline.lock does not match the workspace',
    '',
  ].join('\n');
}

export function formatCommandHelp(c: Command): string {
  const optText = [
    ...c.options,
    { name: 'help', short: 'h', type: 'boolean' as const, description: 'Show this help' },
  ].map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.type !== 'boolean' ? ` ${('arg' in o && o.arg) || 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(26)} ${o.description}`;
  });
  return [
    `Usage: ${c.usage}`,
    '',
    c.summary + '.',
    ...(c.description ? ['', c.description] : []),
    '',
    'Options:',
    ...optText,
    '',
    'Examples:',
    ...c.examples.map((e) => `  ${e.command}\n      ${e.description}`),
    '',
  ].join('\n');
}
