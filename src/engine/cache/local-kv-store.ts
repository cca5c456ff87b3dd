/**
 * The local KeyValueStore: one file per key under a directory (the run cache uses `cache/runs/`), each
 * written to a temporary name and renamed into place. Owns: that layout. Does not own: what records mean.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomicSync } from '../../shared/atomic.js';
import type { KeyValueStore } from './object-store.js';

export class LocalKeyValueStore implements KeyValueStore {
  readonly location: string;

  constructor(readonly dir: string) {
    this.location = dir;
  }

  private file(key: string): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.' || s === ''))
      throw new Error(`invalid store key: ${key}`);
    return path.join(this.dir, ...key.split('/'));
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await fsp.readFile(this.file(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    writeFileAtomicSync(this.file(key), data);
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const start = prefix === '' ? this.dir : path.join(this.dir, ...prefix.split('/').filter(Boolean));
    const rel = prefix === '' ? '' : prefix.endsWith('/') ? prefix : `${prefix}/`;
    yield* walk(start, rel);
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.file(key), { force: true });
  }
}

function* walk(dir: string, rel: string): Generator<string> {
  let ents: fs.Dirent[];
  try {
    ents = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of ents) {
    if (e.isDirectory()) yield* walk(path.join(dir, e.name), `${rel}${e.name}/`);
    // Temp files of an interrupted atomic write (`<name>.<pid>.<rand>.tmp`) are not records.
    else if (e.isFile() && !e.name.endsWith('.tmp')) yield `${rel}${e.name}`;
  }
}
