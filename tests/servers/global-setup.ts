// vitest globalSetup: makes the run directory through which test files share one instance of each test
// server (see shared.ts), and stops whatever was started when the run ends. Starts nothing itself, so a
// run that needs no server pays nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopSharedServers } from './shared.js';

export default function setup(project: TestProject): () => Promise<void> {
  if (process.env.XPIPE_TEST_SERVERS_DIR) return async () => {}; // servers owned by tests/servers/cli.ts
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xps-run-'));
  project.provide('xpipeServers', { runDir, ownerPid: process.pid });
  return () => stopSharedServers(runDir);
}
