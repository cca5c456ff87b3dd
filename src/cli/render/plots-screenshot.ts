/**
 * A PNG screenshot of the HTML plots report (`xpipe plots show --screenshot FILE`), taken with a
 * locally installed headless Chromium, so READMEs can show the report exactly as a browser draws it.
 *
 * Owns: finding the browser, its flags (fresh profile, no network services, virtual time so the
 * charts finish rendering) and the page height. Does not own: the report itself.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomicSync } from '../../engine/index.js';

/** Path of chromium / chromium-browser / google-chrome on PATH, or undefined. */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' })
        .toString()
        .trim();
      if (found) return found;
    } catch {
      /* not installed under this name */
    }
  }
  return undefined;
}

/**
 * Screenshots `htmlFile` into `pngFile` (a tall window, then the blank space below the report is
 * trimmed with sharp); returns an error paragraph, or undefined on success.
 */
export async function screenshotReport(htmlFile: string, pngFile: string, charts: number): Promise<string | undefined> {
  const browser = findChromium();
  if (!browser)
    return 'cannot take a screenshot: no chromium found on PATH. Install it (Debian/Ubuntu: apt-get install chromium) or open the HTML report in a browser.';
  const profile = mkdtempSync(path.join(os.tmpdir(), 'xpipe-shot-'));
  const height = Math.min(16_000, 400 + charts * 450);
  const raw = path.join(profile, 'shot.png');
  try {
    const r = spawnSync(
      browser,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--hide-scrollbars',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--virtual-time-budget=15000',
        `--window-size=1200,${height}`,
        `--screenshot=${raw}`,
        pathToFileURL(htmlFile).href,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
    );
    if (r.status !== 0 || !existsSync(raw))
      return `cannot take a screenshot: ${browser} exited with ${r.status ?? r.signal}: ${String(r.stderr).trim().split('\n').slice(-3).join(' ')}`;
    const { default: sharp } = await import('sharp');
    const png = await sharp(raw)
      .trim({ background: '#ffffff', threshold: 8 })
      .extend({ top: 16, bottom: 16, left: 16, right: 16, background: '#ffffff' })
      .png()
      .toBuffer();
    writeFileAtomicSync(pngFile, png);
    return undefined;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
