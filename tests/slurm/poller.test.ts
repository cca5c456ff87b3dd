// The shared poller against the real test cluster: jobs waited for at the same time are asked about in
// ONE squeue call per interval, with back-off, and each waiter hears its own job end.
import { describe, expect, it } from 'vitest';
import { SlurmPoller } from '../../src/engine/runner/slurm/poller.js';
import { isTerminal, sbatch } from '../../src/engine/runner/slurm/slurm-cli.js';
import { serverTestsSkipped, slurm } from '../servers/index.js';

describe.skipIf(serverTestsSkipped())('SlurmPoller (real Slurm)', () => {
  it('asks about all jobs in one call per interval and backs off', async () => {
    const info = await slurm();
    const s = { env: { ...process.env, ...info.env } };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await sbatch(
        '#!/bin/sh\nsleep 3\n',
        [`--job-name=xpipe-poller-test-${i}`, `--output=${info.workDir}/poller-%j.out`],
        s,
      );
      if (!r.ok) throw new Error(r.error);
      ids.push(r.jobId);
    }
    const poller = new SlurmPoller(s, { minMs: 100, maxMs: 800 });
    const started = Date.now();
    const ended = await Promise.all(
      ids.map(
        (id) =>
          new Promise<string>((resolve) => {
            const stop = poller.watch(id, (st) => {
              if (st === 'gone' || isTerminal(st.state)) {
                stop();
                resolve(st === 'gone' ? 'gone' : st.state);
              }
            });
          }),
      ),
    );
    const elapsed = Date.now() - started;
    expect(ended).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    // One call asks about every job still waited for (3 until the first ends), never one call per job.
    expect(poller.batches[0]).toBe(3);
    expect(poller.batches.filter((b) => b === 3).length).toBeGreaterThan(1);
    // Back-off: well under half the calls that polling every 100 ms would make.
    expect(poller.batches.length).toBeLessThan(elapsed / 100 / 2);
  });
});
