/**
 * `xpipe remote add | list | remove | default | modify`: where `push`/`pull` share the cache.
 */
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import { printDiagnostics } from './shared.js';

const command: Command = {
  name: 'remote',
  summary: 'Configure remotes that share the cache (remote add | list | remove | default | modify)',
  usage:
    'xpipe remote add [-d] [--local] [-f] NAME URL | list [--json] | remove NAME | default NAME | modify NAME KEY [VALUE] [--unset]',
  description: [
    'A remote is a path (shared filesystem, NFS), ssh://[user@]host[:port]/path or s3://bucket/prefix.',
    'Settings live in .xpipe/config.yaml (commit it); --local writes .xpipe/config.local.yaml, which is git-ignored.',
    'Settings: url, endpoint (S3-compatible server), region, profile (AWS profile), jobs, user, port, keyfile, timeout.',
    'Credentials are never written: S3 takes them from the AWS environment variables, ~/.aws or the profile;',
    'SSH from the agent, ~/.ssh/config or the key file.',
  ].join('\n'),
  positionals: true,
  options: [
    { name: 'default', short: 'd', type: 'boolean', description: 'add: make it the default remote' },
    {
      name: 'local',
      type: 'boolean',
      description: 'Write .xpipe/config.local.yaml (not committed) instead of .xpipe/config.yaml',
    },
    { name: 'force', short: 'f', type: 'boolean', description: 'add: replace a remote of the same name' },
    { name: 'unset', type: 'boolean', description: 'modify: remove the setting' },
    { name: 'json', type: 'boolean', description: 'list: print JSON' },
  ],
  examples: [
    { command: 'xpipe remote add -d storage s3://my-bucket/xpipe', description: 'An S3 remote, the default' },
    { command: 'xpipe remote modify storage endpoint http://127.0.0.1:8080', description: 'An S3-compatible server' },
    { command: 'xpipe remote add nas /mnt/nas/xpipe-cache', description: 'A shared filesystem' },
    { command: 'xpipe remote add lab ssh://me@gpu1.lab.example/srv/xpipe', description: 'A server over SSH/SFTP' },
    {
      command: 'xpipe remote modify storage profile ml-team --local',
      description: 'Your own AWS profile, not committed',
    },
  ],
  async run(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
    const [sub, ...rest] = args.positionals;
    const { openProject, loadRemotes } = await import('../../engine/index.js');
    const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
    if (!project.ok) return printDiagnostics(io, project.error);
    const root = project.value.root;
    const remotes = await loadRemotes();
    const local = args.options['local'] === true;
    const usage = (message: string): ExitCode => {
      io.stderr.write(`error: ${message}\n`);
      return 2;
    };
    const done = (
      r: { ok: true; value: { file: string } | { file: string }[] } | { ok: false; error: string },
      what: string,
    ): ExitCode => {
      if (!r.ok) return usage(r.error);
      const files = (Array.isArray(r.value) ? r.value : [r.value]).map((x) => x.file);
      io.stdout.write(`${what} (${files.join(', ')})\n`);
      return 0;
    };
    switch (sub) {
      case 'add': {
        if (rest.length !== 2)
          return usage(
            '"xpipe remote add" needs a NAME and a URL, e.g. xpipe remote add -d storage s3://bucket/prefix.',
          );
        const [name, url] = rest as [string, string];
        return done(
          remotes.addRemote(root, name, url, {
            local,
            makeDefault: args.options['default'] === true,
            force: args.options['force'] === true,
          }),
          `added remote ${name}${args.options['default'] ? ' (default)' : ''}`,
        );
      }
      case 'remove':
        if (rest.length !== 1) return usage('"xpipe remote remove" needs the NAME of one remote.');
        return done(remotes.removeRemote(root, rest[0]), `removed remote ${rest[0]}`);
      case 'default':
        if (rest.length !== 1) return usage('"xpipe remote default" needs the NAME of a configured remote.');
        return done(remotes.setDefaultRemote(root, rest[0], { local }), `default remote is now ${rest[0]}`);
      case 'modify': {
        const unset = args.options['unset'] === true;
        if (rest.length !== (unset ? 2 : 3))
          return usage(
            unset
              ? '"xpipe remote modify NAME KEY --unset" takes a NAME and a KEY.'
              : '"xpipe remote modify" needs NAME KEY VALUE (or NAME KEY --unset).',
          );
        const [name, key, value] = rest as [string, string, string | undefined];
        return done(
          remotes.modifyRemote(root, name, key, unset ? undefined : value, { local }),
          unset ? `unset ${key} of remote ${name}` : `set ${key} of remote ${name}`,
        );
      }
      case 'list': {
        const config = remotes.loadProjectConfig(root);
        if (!config.ok) return printDiagnostics(io, config.error);
        const list = [...config.value.remotes.values()];
        if (args.options['json']) {
          io.stdout.write(
            `${JSON.stringify(list.map((r) => ({ name: r.name, default: r.name === config.value.defaultRemote, ...r.settings, url: remotes.describeRemoteUrl(r.url) })))}\n`,
          );
          return 0;
        }
        if (list.length === 0) io.stdout.write('No remotes. Add one with "xpipe remote add -d NAME URL".\n');
        for (const r of list) {
          const extra = Object.entries(r.settings)
            .filter(([k]) => k !== 'url')
            .map(([k, v]) => `${k}=${String(v)}`);
          io.stdout.write(
            `${r.name === config.value.defaultRemote ? '*' : ' '} ${r.name}\t${remotes.describeRemoteUrl(r.url)}${extra.length > 0 ? `\t${extra.join(' ')}` : ''}\n`,
          );
        }
        return 0;
      }
      default:
        return usage(
          `${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: use "xpipe remote add", "list", "remove", "default" or "modify".`,
        );
    }
  },
};

export default command;
