/**
 * Finds the image a CSV path cell names inside an image folder. Each folder is listed once (so a large
 * CSV costs one `readdir` per folder, not one `stat` per row), and a name that differs from the file on
 * disk only in case (`IMG_1.JPG` listed as `img_1.jpg`, common in datasets made on macOS or Windows) is
 * accepted when exactly one file matches.
 *
 * Owns: path cell → project-relative path. Does not own: whether the file is an image (scan.ts).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Locator } from '../mapping/map-rows.js';
import { projectPath } from './scan.js';

/** A locator for cells relative to `imagesRel` (a folder relative to the project root). */
export function relativeLocator(projectRoot: string, imagesRel: string): Locator {
  const listings = new Map<string, Promise<Map<string, string[]>>>();
  const listing = (dirRel: string): Promise<Map<string, string[]>> => {
    let p = listings.get(dirRel);
    if (!p) {
      p = readdir(path.resolve(projectRoot, dirRel), { withFileTypes: true }).then(
        (entries) => {
          const byLower = new Map<string, string[]>();
          for (const e of entries) {
            if (e.isDirectory()) continue;
            const key = e.name.toLowerCase();
            byLower.set(key, [...(byLower.get(key) ?? []), e.name]);
          }
          return byLower;
        },
        () => new Map<string, string[]>(),
      );
      listings.set(dirRel, p);
    }
    return p;
  };
  return {
    where: `in ${imagesRel}`,
    async find(cell) {
      const rel = projectPath(imagesRel, cell.replace(/\\/g, '/'));
      const names = (await listing(path.posix.dirname(rel))).get(path.posix.basename(rel).toLowerCase()) ?? [];
      const exact = names.find((n) => n === path.posix.basename(rel));
      const name = exact ?? (names.length === 1 ? names[0] : undefined);
      return name === undefined ? null : path.posix.join(path.posix.dirname(rel), name);
    },
    mask: (cell) => projectPath(imagesRel, cell.replace(/\\/g, '/')),
  };
}
