// The one entry point to the real test servers (issues 11 and 12). Two ways to use them:
//  - `await sshd()`, `await swiftS3()`, `await slurm()`: the run's shared instance (started on first use,
//    stopped after the run by global-setup.ts). Use these in test files.
//  - `startSshd()`, `startSwiftS3()`, `startSlurm()`: a private instance with `stop()`, for tests that
//    break the server (stop sshd mid-transfer, fill the disk) or benchmarks.
// Each fails with the apt packages to install when they are missing; `serverTestsSkipped()` is the
// developer opt-out (XPIPE_TEST_SERVERS=skip), which CI never sets.
import { currentRun, sharedServer } from './shared.js';
import { startSshd, type SshdInfo } from './sshd.js';
import { startSwiftS3, type SwiftS3Info } from './swift.js';
import { startSlurm, type SlurmInfo } from './slurm.js';

export { startSshd, startSwiftS3, startSlurm };
export type { SshdInfo, SwiftS3Info, SlurmInfo };
export { serverTestsSkipped, ServerUnavailable, type ServerHandle } from './common.js';

export async function sshd(): Promise<SshdInfo> {
  return sharedServer(await currentRun(), 'sshd', startSshd);
}

export async function swiftS3(): Promise<SwiftS3Info> {
  return sharedServer(await currentRun(), 'swift-s3', startSwiftS3);
}

export async function slurm(): Promise<SlurmInfo> {
  return sharedServer(await currentRun(), 'slurm', startSlurm);
}
