/**
 * The `preprocess` step end to end: read `data/split/`, run every image through the cached chain on all
 * cores, and write `data/preprocessed/` (per split `<split>.json` + fixed-size pixel shards, mask shards
 * when the dataset has lung masks, `stats.json`, `labels.json`; see preprocessed-format.ts) atomically,
 * plus the contact sheet. Results stream into the shard writers, so memory holds about one shard per
 * worker, not the dataset.
 *
 * Owns: the report of cache hits/misses and the index files. Does not own: pixels (pixels.ts), the cache
 * entries (image-task.ts) or shard bytes (shard-writer.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../params/index.js';
import { makeStagingDir, replaceDir, writeFileAtomic } from '../../../shared/atomic.js';
import { vectorOf } from '../label-space.js';
import { imagesPerShard, type ImageMeta, type PreprocessStats, type SplitIndex } from '../preprocessed-format.js';
import type { MetaColumn } from '../records.js';
import { SPLITS } from '../split-by-patient.js';
import { readLabelSpace, readSplitTable, type SplitRow } from '../split-files.js';
import { runPool } from '../worker-pool.js';
import { contactSheet, pickForSheet } from './contact-sheet.js';
import type { ImageResult, ImageTask } from './image-task.js';
import type { PreprocessOptions } from './options.js';
import { meanStdOfHistogram, ShardWriter } from './shard-writer.js';

export interface PreprocessRun {
  /** Absolute project root: split paths are relative to it. */
  projectRoot: string;
  splitDir: string;
  outDir: string;
  /** Absolute per-image cache folder (outside the outs, so it survives re-runs), or null. */
  cacheDir: string | null;
  /** Absolute path of the contact sheet PNG, or null to skip it. */
  sheetFile: string | null;
  threads?: number;
  signal?: AbortSignal;
  onStart?: (total: number) => void;
  onImage?: () => void;
}

export interface PreprocessSummary {
  images: Record<string, number>;
  hits: number;
  misses: number;
  stats: PreprocessStats;
}

export async function runPreprocess(r: PreprocessRun, o: PreprocessOptions): Promise<PreprocessSummary> {
  const rel = (abs: string): string => path.relative(r.projectRoot, abs).split(path.sep).join('/') || '.';
  const space = await readLabelSpace(r.splitDir, rel(r.splitDir));
  const rows: Record<string, SplitRow[]> = {};
  const metaColumns: Record<string, MetaColumn[]> = {};
  for (const s of SPLITS) {
    const table = await readSplitTable(path.join(r.splitDir, `${s}.csv`), `${rel(r.splitDir)}/${s}.csv`);
    rows[s] = table.rows;
    metaColumns[s] = table.metaColumns;
  }
  const all = SPLITS.flatMap((s) => rows[s]);
  // one id per run: the workers index the cache's packs once per run, and append to packs of their own
  const cache = r.cacheDir === null ? null : { dir: r.cacheDir, run: randomBytes(6).toString('hex') };
  const tasks: ImageTask[] = all.map((row) => ({
    file: path.resolve(r.projectRoot, row.path),
    display: row.path,
    mask: row.mask ? { file: path.resolve(r.projectRoot, row.mask), display: row.mask } : null,
    options: o,
    cache,
  }));
  r.onStart?.(tasks.length);
  const staging = await makeStagingDir(r.outDir);
  // One writer per split; a task's global index maps to (split, index in split) by the split offsets.
  const writers: ShardWriter[] = [];
  const starts: number[] = [];
  let offset = 0;
  for (const s of SPLITS) {
    const splitRows = rows[s];
    const perShard = imagesPerShard(o.shardMb, o.size, o.size);
    const withMasks = splitRows.some((row) => row.mask !== null);
    writers.push(new ShardWriter(staging, s, splitRows.length, perShard, o.size * o.size, withMasks));
    starts.push(offset);
    offset += splitRows.length;
  }
  const train = rows['train'];
  const sheetPick = r.sheetFile
    ? pickForSheet(
        train.map((row) => row.labels),
        8,
      )
    : [];
  const sheetPixels = new Map<number, Uint8Array>();
  const errors: string[] = [];
  let hits = 0;
  const onResult = async (i: number, raw: unknown): Promise<void> => {
    const res = raw as ImageResult;
    hits += res.hits;
    if (res.error) return void errors.push(res.error);
    if (errors.length > 0) return; // the run fails anyway: stop packing
    let s = SPLITS.length - 1;
    while (starts[s] > i) s--;
    await writers[s].put(i - starts[s], res.pixels as Uint8Array, res.mask);
    if (sheetPick.includes(i)) sheetPixels.set(i, res.pixels as Uint8Array);
  };
  const ext = path.extname(new URL(import.meta.url).pathname);
  try {
    await runPool<ImageTask, ImageResult>(new URL(`./image-task${ext}`, import.meta.url), tasks, {
      threads: r.threads,
      signal: r.signal,
      onDone: () => r.onImage?.(),
      onResult,
    });
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  if (errors.length > 0) {
    await rm(staging, { recursive: true, force: true });
    const more = errors.length > 3 ? ` (${errors.length - 3} more bad images not shown)` : '';
    throw new InputError(
      `${errors.length} image${errors.length === 1 ? '' : 's'} could not be preprocessed. ${errors.slice(0, 3).join(' ')}${more}`,
    );
  }
  const counts: Record<string, number> = {};
  let stats: PreprocessStats = { mean: 0, std: 0, size: o.size, equalize: o.equalize, blurKsize: o.blurKsize };
  for (const [k, s] of SPLITS.entries()) {
    const splitRows = rows[s];
    const writer = writers[k];
    const index: SplitIndex = {
      split: s,
      shape: [splitRows.length, o.size, o.size],
      ids: splitRows.map((row) => row.id),
      patientIds: splitRows.map((row) => row.patientId),
      labels: splitRows.map((row) => vectorOf(space, row.labels)),
      sources: splitRows.map((row) => row.path),
      masks: splitRows.map((row) => row.mask),
      shards: writer.entries(),
    };
    const meta = imageMeta(splitRows, metaColumns[s] ?? []);
    if (meta) index.meta = meta;
    await writeFile(path.join(staging, `${s}.json`), JSON.stringify(index) + '\n');
    counts[s] = splitRows.length;
    if (s === 'train') stats = { ...stats, ...meanStdOfHistogram(writer.histogram) };
  }
  await writeFile(path.join(staging, 'stats.json'), JSON.stringify(stats, null, 2) + '\n');
  await writeFile(path.join(staging, 'labels.json'), JSON.stringify(space, null, 2) + '\n');
  await replaceDir(staging, r.outDir);
  if (r.sheetFile) {
    const items = await Promise.all(
      sheetPick.map(async (i) => ({
        bytes: await readFile(tasks[i]?.file ?? ''),
        display: train[i].path,
        after: sheetPixels.get(i) as Uint8Array,
        size: o.size,
      })),
    );
    await writeFileAtomic(r.sheetFile, await contactSheet(items));
  }
  return { images: counts, hits, misses: tasks.length - hits, stats };
}

/** The split's metadata columns as `SplitIndex.meta` (only the mapped ones), or undefined when none. */
export function imageMeta(rows: readonly SplitRow[], columns: readonly MetaColumn[]): ImageMeta | undefined {
  if (columns.length === 0) return undefined;
  const meta: ImageMeta = {};
  if (columns.includes('view')) meta.view = rows.map((row) => row.meta?.view ?? null);
  if (columns.includes('sex')) meta.sex = rows.map((row) => row.meta?.sex ?? null);
  if (columns.includes('age')) meta.age = rows.map((row) => row.meta?.age ?? null);
  return meta;
}

/** Mean and standard deviation of pixels scaled to [0, 1]. */
export function meanStd(bin: Uint8Array): { mean: number; std: number } {
  const hist = new Float64Array(256);
  for (let i = 0; i < bin.length; i++) hist[bin[i]]++;
  return meanStdOfHistogram(hist);
}
