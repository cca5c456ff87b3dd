// The shared remote scenarios (CI clone + pull + status --check + repro --pull, directory memory, kill -9
// mid-push, corrupt and missing objects) through the real CLI against an ssh:// remote on the test sshd.
import fs from 'node:fs';
import { describe } from 'vitest';
import { serverTestsSkipped, sshd } from '../servers/index.js';
import { remoteScenarioSuite } from './scenario.js';
import { fakeHome, freshRemote } from './ssh-fixture.js';

describe.skipIf(serverTestsSkipped())('ssh', () => {
  remoteScenarioSuite('ssh://', async () => {
    const s = await sshd();
    fakeHome(s);
    const { dir, url } = freshRemote(s);
    return {
      url,
      settings: { keyfile: s.privateKeyPath },
      cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  });
});
