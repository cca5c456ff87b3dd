// Remote failures as data and as text: errno codes map to one vocabulary for every backend, and each
// renders as one paragraph that names the remote by its URL and says what to do.
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/engine/remote/errors.js';
import { formatRemoteFailure, formatTransferProgress } from '../../src/cli/render/remote-views.js';
import type { RemoteConfig } from '../../src/engine/config/project-config.js';

const nas: RemoteConfig = {
  name: 'nas',
  url: { kind: 'local', path: '/mnt/nas/xpipe' },
  settings: { url: '/mnt/nas/xpipe' },
};
const errno = (code: string) => Object.assign(new Error(`${code}: something, write '/mnt/nas/xpipe/tmp/x'`), { code });

describe('remote failures', () => {
  it('maps errno codes; a full disk while fetching is the local cache, while pushing the remote', () => {
    expect(classifyError(errno('ENOSPC'), nas).failure).toMatchObject({
      problem: 'disk-full',
      where: 'remote',
      remote: 'nas',
      url: '/mnt/nas/xpipe',
    });
    expect(classifyError(errno('ENOSPC'), nas, true).failure).toMatchObject({
      problem: 'disk-full',
      where: 'local-cache',
    });
    expect(classifyError(errno('EACCES'), nas).failure.problem).toBe('permission-denied');
    expect(classifyError(errno('ECONNREFUSED'), nas).failure.problem).toBe('unreachable');
    expect(classifyError(new Error('odd'), nas).failure.problem).toBe('io');
  });

  it('renders one paragraph naming the remote and what to do', () => {
    expect(formatRemoteFailure(classifyError(errno('ENOSPC'), nas).failure)).toBe(
      `error: remote "nas" (/mnt/nas/xpipe) is out of space: ENOSPC: something, write '/mnt/nas/xpipe/tmp/x'. Free space there and push again; objects already pushed stay, and no partial object was left under its final name.`,
    );
    expect(formatRemoteFailure(classifyError(errno('ENOSPC'), nas, true).failure)).toMatch(
      /^error: the disk holding cache\/ is full while fetching from remote "nas" \(\/mnt\/nas\/xpipe\)/,
    );
  });

  it('the progress line shows files, bytes, rate and ETA', () => {
    expect(
      formatTransferProgress({
        direction: 'push',
        doneObjects: 412,
        totalObjects: 1000,
        doneBytes: 2e6,
        totalBytes: 6e6,
        elapsedMs: 1000,
      }),
    ).toBe('pushing  412/1000 files  2.0 MB/6.0 MB  2.0 MB/s  ETA 0:02');
  });
});
