/**
 * The run cache: for every successful run, (stage, run key) → the outs it produced, one JSON record per
 * run at `<stage, URI-encoded>/<run key>.json` in a KeyValueStore (locally `cache/runs/`, the layout
 * earlier versions wrote, so existing caches stay readable). Lets `repro` restore outs instead of
 * re-running when the inputs match ANY earlier run. Because it only talks to the KeyValueStore and
 * ObjectStore interfaces, pushing it to a remote is `transferRunCache` between two stores (DVC's
 * StageCache.transfer). Owns: record format and pruning. Does not own: the objects the records name.
 */
import path from 'node:path';
import type { StageKey } from '../model/brands.js';
import type { LockedOut } from '../lock/lockfile.js';
import { CACHE_DIR, type KeyValueStore, type ObjectId, type ObjectStore } from './object-store.js';
import { LocalKeyValueStore } from './local-kv-store.js';

/** One remembered run. */
export interface RunEntry {
  stage: string;
  key: StageKey;
  /** ISO time of the run, for `gc --keep-runs`. */
  createdAt: string;
  outs: LockedOut[];
}

export class RunCache {
  constructor(readonly records: KeyValueStore) {}

  /** The run cache of the project at `root` (`cache/runs/`). */
  static forProject(root: string): RunCache {
    return new RunCache(new LocalKeyValueStore(path.join(root, CACHE_DIR, 'runs')));
  }

  private static recordKey(stage: string, key: StageKey): string {
    return `${encodeURIComponent(stage)}/${key}.json`;
  }

  async get(stage: string, key: StageKey): Promise<RunEntry | undefined> {
    return parseEntry(await this.records.read(RunCache.recordKey(stage, key)));
  }

  async put(entry: RunEntry): Promise<void> {
    await this.records.write(RunCache.recordKey(entry.stage, entry.key), JSON.stringify(entry, null, 1));
  }

  /** Every readable entry, grouped by stage, newest first. A corrupt record is skipped (gc removes it). */
  async all(): Promise<Map<string, RunEntry[]>> {
    const out = new Map<string, RunEntry[]>();
    for await (const k of this.records.list()) {
      const [dir, file] = k.split('/');
      if (dir === undefined || file === undefined || !file.endsWith('.json')) continue;
      const stage = decodeURIComponent(dir);
      const list = out.get(stage) ?? [];
      out.set(stage, list);
      const e = parseEntry(await this.records.read(k));
      if (e) list.push(e);
    }
    for (const list of out.values()) list.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    return out;
  }

  async remove(stage: string, key: StageKey): Promise<void> {
    await this.records.delete(RunCache.recordKey(stage, key));
  }
}

function parseEntry(data: Buffer | undefined): RunEntry | undefined {
  if (!data) return undefined;
  try {
    const e = JSON.parse(data.toString('utf8')) as RunEntry;
    return typeof e.stage === 'string' && typeof e.key === 'string' && Array.isArray(e.outs) ? e : undefined;
  } catch {
    return undefined;
  }
}

/** One side of a run-cache transfer: the records and the objects they name. */
export interface RunCacheSide {
  runs: RunCache;
  objects: ObjectStore;
}

/**
 * Copies run-cache records from `from` to `to` that `to` lacks, each only when every object it names
 * (directory manifests and their files included) is already in `to.objects`, so a record on the
 * destination never points at missing bytes. Objects are moved by the caller (push/pull) beforehand.
 * `objectsOf` expands an out's id to all ids it needs (reading manifests from the source store).
 */
export async function transferRunCache(
  from: RunCacheSide,
  to: RunCacheSide,
  objectsOf: (id: ObjectId) => Promise<ObjectId[] | undefined>,
): Promise<{ copied: { stage: string; key: StageKey }[]; skippedIncomplete: { stage: string; key: StageKey }[] }> {
  const copied: { stage: string; key: StageKey }[] = [];
  const skippedIncomplete: { stage: string; key: StageKey }[] = [];
  for (const entries of (await from.runs.all()).values()) {
    for (const e of entries) {
      if (await to.runs.get(e.stage, e.key)) continue;
      const ids: ObjectId[] = [];
      let known = true;
      for (const o of e.outs) {
        const c = await objectsOf(o.hash);
        if (!c) known = false;
        else ids.push(...c);
      }
      const present = known ? await to.objects.hasMany(ids) : new Set<ObjectId>();
      if (!known || ids.some((id) => !present.has(id))) {
        skippedIncomplete.push({ stage: e.stage, key: e.key });
        continue;
      }
      await to.runs.put(e);
      copied.push({ stage: e.stage, key: e.key });
    }
  }
  return { copied, skippedIncomplete };
}
