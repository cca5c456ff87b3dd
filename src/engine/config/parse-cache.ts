/**
 * Cache of parsed YAML values keyed by the sha1 of the file's text (`.xpipe/state/parsed.json`), so that
 * a no-op `status`/`repro` reads pipeline.yaml, params files and pipeline.lock without running the YAML
 * parser (the slowest part of a no-op run on a 200-stage pipeline). Only successful parses are cached;
 * content-keyed, so an edit is never missed. Owns: that file. Does not own: parsing (yaml-file.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { hashBytes } from '../hash/hash-file.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';

interface Entry {
  hash: string;
  value: unknown;
}

export class ParseCache {
  private entries: Record<string, Entry> | undefined;
  private dirty = false;

  constructor(private readonly file: string) {}

  static forProject(root: string): ParseCache {
    return new ParseCache(path.join(root, '.xpipe', 'state', 'parsed.json'));
  }

  private load(): Record<string, Entry> {
    if (this.entries) return this.entries;
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { v: number; e: Record<string, Entry> };
      this.entries = data.v === 1 ? data.e : {};
    } catch {
      this.entries = {};
    }
    return this.entries;
  }

  /** The cached value of `name` if its text is unchanged. */
  get(name: string, text: string): { hit: true; value: unknown } | { hit: false } {
    const e = this.load()[name];
    return e && Object.hasOwn(this.load(), name) && e.hash === hashBytes(text)
      ? { hit: true, value: e.value }
      : { hit: false };
  }

  set(name: string, text: string, value: unknown): void {
    if (!jsonSafe(value)) return; // e.g. .inf/.nan params would not survive JSON
    this.load()[name] = { hash: hashBytes(text), value };
    this.dirty = true;
  }

  /** Writes the cache if it changed; never throws (it is only an optimisation). */
  save(): void {
    if (!this.dirty) return;
    try {
      writeFileAtomicSync(this.file, JSON.stringify({ v: 1, e: this.entries }));
      this.dirty = false;
    } catch {
      // Read-only project: parse again next time.
    }
  }
}

function jsonSafe(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(jsonSafe);
  if (typeof v === 'object') return Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(jsonSafe);
  return false;
}
