/**
 * `xpipe push`: upload the cache objects of the outs in pipeline.lock (and with --run-cache the run-cache
 * records) that the remote lacks.
 */
import type { Command } from './types.js';
import { runTransfer, TRANSFER_OPTIONS } from './transfer-shared.js';

const command: Command = {
  name: 'push',
  summary: 'Upload the cached outs recorded in pipeline.lock (of the given stages, default all) to a remote',
  usage: 'xpipe push [STAGE...] [-r NAME] [-j N] [--run-cache] [--json]',
  description: [
    "Uploads every object of the outs pipeline.lock records that the remote lacks, in parallel. A directory's",
    'manifest is uploaded after all its files, and a directory pushed completely is remembered, so the next push',
    'skips its files without asking the remote. With --run-cache, run-cache records go up too, each only after',
    'every object it names is on the remote, so "xpipe repro --pull" elsewhere can restore earlier runs.',
    'Exit code 1 when an out is missing from cache/ (the rest is still pushed) or the remote fails.',
  ].join('\n'),
  positionals: true,
  options: TRANSFER_OPTIONS,
  examples: [
    { command: 'xpipe push', description: 'Upload everything pipeline.lock records to the default remote' },
    { command: 'xpipe push train -r nas -j 8', description: "Only train's outs, to remote nas, 8 at a time" },
    { command: 'xpipe push --run-cache', description: 'Also share the run cache (for repro --pull)' },
  ],
  run: (args, io) => runTransfer('push', args, io),
};

export default command;
