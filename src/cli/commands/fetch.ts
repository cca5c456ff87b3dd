/**
 * `xpipe fetch`: download the objects of the outs in pipeline.lock that cache/ lacks, verified.
 */
import type { Command } from './types.js';
import { runTransfer, TRANSFER_OPTIONS } from './transfer-shared.js';

const command: Command = {
  name: 'fetch',
  summary:
    'Download the cached outs recorded in pipeline.lock (of the given stages, default all) from a remote into cache/',
  usage: 'xpipe fetch [STAGE...] [-r NAME] [-j N] [--run-cache] [--json]',
  description: [
    'Every object is hashed as it arrives and enters cache/ only when it matches its id; a corrupt object on the',
    'remote is named and rejected. The workspace is not touched (see "xpipe pull"). Exit code 1 when an out',
    'could not be fetched completely (missing or corrupt on the remote); everything else is still fetched.',
  ].join('\n'),
  positionals: true,
  options: TRANSFER_OPTIONS,
  examples: [
    { command: 'xpipe fetch', description: 'Fill cache/ with everything pipeline.lock records' },
    {
      command: 'xpipe fetch --run-cache',
      description: 'Also the run cache, so repro can restore earlier runs offline',
    },
  ],
  run: (args, io) => runTransfer('fetch', args, io),
};

export default command;
