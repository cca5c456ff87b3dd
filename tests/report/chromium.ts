// Headless Debian chromium for report tests: find it, load a page, return the DOM or a screenshot.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export { findChromium } from '../../src/cli/render/plots-screenshot.js';

/** Runs chromium headless on `url` with a fresh profile; virtual time lets the page's scripts finish. */
export function runChromium(
  binary: string,
  url: string,
  mode: { dumpDom: true } | { screenshot: string },
): { stdout: string; stderr: string } {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'xpipe-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--virtual-time-budget=10000',
    '--window-size=1200,1800',
    '--enable-logging=stderr',
    '--v=0',
    ...('dumpDom' in mode ? ['--dump-dom'] : [`--screenshot=${mode.screenshot}`]),
    url,
  ];
  try {
    const r = spawnSync(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, maxBuffer: 64 << 20 });
    const stderr = r.stderr?.toString() ?? '';
    if (r.status !== 0) throw new Error(`chromium exited with ${r.status ?? r.signal}: ${stderr.slice(-2000)}`);
    return { stdout: r.stdout.toString(), stderr };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
