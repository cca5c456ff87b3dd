/**
 * The per-image cache of `preprocess` as append-only pack files: `<cacheDir>/<writer>.pack`, one file per
 * worker thread and run, each a sequence of records `XPC1 | key (32 bytes) | length u32 | crc32 u32 | data`.
 * One file per image (temp + rename into 256 folders) cost ~1 ms of file-system metadata work per image,
 * more than decoding and filtering it; an append to an open file costs one write.
 *
 * Crash safety without renames: a writer only appends to its own file, and a reader takes a record only
 * when its header and data are complete and the CRC matches, so a record cut short by a crash (or still
 * being written by a concurrent run) is a miss, never wrong pixels. Lookups use an index of every pack,
 * built once per run and thread by walking the record headers.
 *
 * Owns: the pack format, lookup and append. Does not own: keys (options.ts) or pixels.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { crc32 } from 'node:zlib';

const MAGIC = 0x58504331; // "XPC1"
const HEADER = 44;

interface Ref {
  pack: string;
  offset: number;
  length: number;
  crc: number;
}

interface State {
  dir: string;
  run: string;
  index: Map<string, Ref>;
  /** This thread's pack for the run (created by the first store) and its size. */
  file: string;
  size: number;
}

let state: State | null = null;

/** The index of `dir` for run `run` (rebuilt when either changes, so each run sees earlier runs' records). */
function open(dir: string, run: string): State {
  if (state && state.dir === dir && state.run === run) return state;
  const file = `${process.pid}-${threadId}-${run}.pack`;
  state = { dir, run, index: indexPacks(dir), file, size: 0 };
  return state;
}

function indexPacks(dir: string): Map<string, Ref> {
  const index = new Map<string, Ref>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.pack'));
  } catch {
    return index;
  }
  const header = Buffer.alloc(HEADER);
  for (const pack of names.sort()) {
    let fd: number;
    try {
      fd = openSync(path.join(dir, pack), 'r');
    } catch {
      continue;
    }
    try {
      for (let offset = 0; ;) {
        if (readSync(fd, header, 0, HEADER, offset) < HEADER || header.readUInt32BE(0) !== MAGIC) break;
        const length = header.readUInt32BE(36);
        index.set(header.toString('hex', 4, 36), {
          pack,
          offset: offset + HEADER,
          length,
          crc: header.readUInt32BE(40),
        });
        offset += HEADER + length;
      }
    } finally {
      closeSync(fd);
    }
  }
  return index;
}

/** The cached bytes for `key` (64 hex digits) if a complete record of `length` bytes exists, else null. */
export function lookup(dir: string, run: string, key: string, length: number): Uint8Array | null {
  const ref = open(dir, run).index.get(key);
  if (!ref || ref.length !== length) return null;
  const data = new Uint8Array(length);
  try {
    const fd = openSync(path.join(dir, ref.pack), 'r');
    try {
      if (readSync(fd, data, 0, length, ref.offset) !== length) return null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  return crc32(data) === ref.crc ? data : null;
}

/**
 * Appends `data` under `key` to this thread's pack of the run, header and data in one write. The file is
 * opened per record (opening an existing file is cheap; creating one per image was not), so no descriptor
 * outlives the call.
 */
export function store(dir: string, run: string, key: string, data: Uint8Array): void {
  const s = open(dir, run);
  const record = Buffer.allocUnsafe(HEADER + data.length);
  record.writeUInt32BE(MAGIC, 0);
  record.write(key, 4, 32, 'hex');
  record.writeUInt32BE(data.length, 36);
  const crc = crc32(data);
  record.writeUInt32BE(crc, 40);
  record.set(data, HEADER);
  const fd = openPack(path.join(dir, s.file));
  try {
    let written = 0;
    while (written < record.length) written += writeSync(fd, record, written, record.length - written);
  } finally {
    closeSync(fd);
  }
  s.index.set(key, { pack: s.file, offset: s.size + HEADER, length: data.length, crc });
  s.size += record.length;
}

function openPack(file: string): number {
  try {
    return openSync(file, 'a');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    // the cache folder itself is missing (first run, or scratch removed)
    mkdirSync(path.dirname(file), { recursive: true });
    return openSync(file, 'a');
  }
}
