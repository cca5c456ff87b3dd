/**
 * The SSH remote's stores over SFTP, laid out like `cache/`: objects at `<dir>/ab/cdef…`, run-cache
 * records under `<dir>/runs/`. Writes go to `<final name>.<random>.tmp` in the same directory and are
 * renamed into place, so an interrupted push never leaves a partial object under its final name (a stray
 * `.tmp` is never listed and may be deleted). Objects use the plain SFTP rename, which OpenSSH implements
 * with link(2) and so never replaces an existing object: a put of an id that is already there (a
 * concurrent put, a retry) finds it and drops its temp file, which keeps `put` idempotent without a stat
 * before every upload. Records must be replaced, so they use posix-rename@openssh.com (atomic replace)
 * when the server offers it.
 * Reads and writes are pipelined (several requests in flight per channel), as OpenSSH's sftp does.
 * `hasMany` asks per id for a few ids and lists fan-out directories for many, estimating the cost of
 * listing from the first directory it lists (as DVC estimates a remote's size).
 * Owns: the layout over SFTP and SFTP error codes. Does not own: the connection (ssh-session.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { OpenMode, SFTPWrapper, Stats } from 'ssh2';
import { HASH_ALGORITHM } from '../../hash/hash-file.js';
import {
  digestOf,
  isObjectId,
  ObjectMismatchError,
  type KeyValueStore,
  type ObjectId,
  type ObjectStore,
  type PutOptions,
  getFileFromStream,
} from '../../cache/object-store.js';
import type { SshSession } from './ssh-session.js';

/** Bytes per SFTP read/write request and requests in flight per transfer (2 MiB, like sftp's 64 × 32 KiB). */
const PIECE = 64 * 1024;
const IN_FLIGHT = 32;
/** Up to this many ids, hasMany stats each one without estimating. */
const FEW_IDS = 16;
/** Requests to list one directory besides its entries (open, close, the final empty read). */
const LIST_OVERHEAD = 3;
/** Names per READDIR answer from OpenSSH's sftp-server. */
const NAMES_PER_READ = 100;

const FX = { EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4 };

/** An SFTP status error as an errno-coded Error (ENOENT, EACCES, ENOSPC...) naming the path. */
function sftpError(e: unknown, what: string, p: string): NodeJS.ErrnoException {
  const status = (e as { code?: unknown }).code;
  const err: NodeJS.ErrnoException = new Error(`${what} ${p}: ${(e as Error).message}`);
  if (status === FX.NO_SUCH_FILE) err.code = 'ENOENT';
  else if (status === FX.PERMISSION_DENIED) err.code = 'EACCES';
  else if (typeof status === 'string') err.code = status;
  return err;
}

const isMissing = (e: unknown): boolean =>
  (e as { code?: unknown }).code === FX.NO_SUCH_FILE || (e as { code?: unknown }).code === 'ENOENT';

function call<T>(fn: (cb: (e: Error | null | undefined, v: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v))));
}

const statOf = (sftp: SFTPWrapper, p: string) => call<Stats>((cb) => sftp.stat(p, cb));
const openFile = (sftp: SFTPWrapper, p: string, flags: OpenMode) => call<Buffer>((cb) => sftp.open(p, flags, cb));
const closeFile = (sftp: SFTPWrapper, h: Buffer) => call<void>((cb) => sftp.close(h, cb));
const unlink = (sftp: SFTPWrapper, p: string) => call<void>((cb) => sftp.unlink(p, cb));
const readdirNames = (sftp: SFTPWrapper, p: string) =>
  call<{ filename: string; attrs: Stats }[]>((cb) => sftp.readdir(p, cb));

async function statOrUndefined(sftp: SFTPWrapper, p: string): Promise<Stats | undefined> {
  try {
    return await statOf(sftp, p);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw sftpError(e, 'stat', p);
  }
}

async function namesOrEmpty(sftp: SFTPWrapper, p: string): Promise<{ filename: string; attrs: Stats }[]> {
  try {
    return await readdirNames(sftp, p);
  } catch (e) {
    if (isMissing(e)) return [];
    throw sftpError(e, 'list', p);
  }
}

/** mkdir -p; an existing directory is fine. */
export async function mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
  try {
    await call<void>((cb) => sftp.mkdir(dir, cb as never));
  } catch (e) {
    if (isMissing(e) && posix.dirname(dir) !== dir) {
      await mkdirs(sftp, posix.dirname(dir));
      return mkdirs(sftp, dir);
    }
    if ((await statOrUndefined(sftp, dir))?.isDirectory()) return;
    throw sftpError(e, 'create directory', dir);
  }
}

const tempName = (p: string) => `${p}.${crypto.randomBytes(6).toString('hex')}.tmp`;

/**
 * Writes `input` to a new file `p` (which must not exist) with pipelined requests; `onPiece` sees every
 * piece in order (hashing). A failed write that left the server short of space becomes ENOSPC.
 */
async function writeNewFile(
  session: SshSession,
  sftp: SFTPWrapper,
  p: string,
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  onPiece: (b: Buffer) => void,
): Promise<void> {
  let handle: Buffer;
  try {
    handle = await openFile(sftp, p, 'wx');
  } catch (e) {
    if (!isMissing(e)) throw sftpError(e, 'create', p);
    await mkdirs(sftp, posix.dirname(p));
    handle = await openFile(sftp, p, 'wx').catch((e2: unknown) => Promise.reject(sftpError(e2, 'create', p)));
  }
  let failed: Error | undefined;
  const inflight = new Set<Promise<void>>();
  try {
    let pos = 0;
    for await (const chunk of input) {
      for (let off = 0; off < chunk.length; off += PIECE) {
        const piece = chunk.subarray(off, off + PIECE);
        onPiece(piece);
        const at = pos;
        pos += piece.length;
        const w: Promise<void> = call<void>((cb) => sftp.write(handle, piece, 0, piece.length, at, cb as never)).then(
          () => void inflight.delete(w),
          (e: unknown) => {
            inflight.delete(w);
            failed ??= e instanceof Error ? e : new Error(String(e));
          },
        );
        inflight.add(w);
        if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
        if (failed !== undefined) throw failed;
      }
    }
    await Promise.all(inflight);
    if (failed !== undefined) throw failed;
    await closeFile(sftp, handle);
  } catch (e) {
    // On a dead connection, requests may never be answered: do not wait for them.
    if (session.lost) throw session.lost;
    await Promise.all(inflight);
    await closeFile(sftp, handle).catch(() => {});
    throw await writeFailure(session, sftp, e, p);
  }
}

/** SFTP v3 reports a full disk as a bare FAILURE: ask statvfs to tell it apart. */
async function writeFailure(session: SshSession, sftp: SFTPWrapper, e: unknown, p: string): Promise<unknown> {
  if ((e as { code?: unknown }).code !== FX.FAILURE || !session.statvfs)
    return (e as { code?: unknown }).code !== undefined && typeof (e as { code?: unknown }).code === 'number'
      ? sftpError(e, 'write', p)
      : e;
  try {
    const v = await call<{ bavail: number; frsize: number }>((cb) =>
      sftp.ext_openssh_statvfs(posix.dirname(p), cb as never),
    );
    if (v.bavail * v.frsize < 1024 * 1024) {
      const err: NodeJS.ErrnoException = new Error(
        `no space left on the host writing ${p} (${v.bavail * v.frsize} bytes free)`,
      );
      err.code = 'ENOSPC';
      return err;
    }
  } catch {
    // statvfs itself failed: report the write error
  }
  return sftpError(e, 'write', p);
}

/** Reads all of a small file, or undefined when absent. */
async function readWhole(session: SshSession, p: string): Promise<Buffer | undefined> {
  const s = await readStream(session, p);
  if (!s) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A stream of file `p` with reads pipelined ahead, holding one channel until it ends; undefined when the
 * file is absent.
 */
async function readStream(session: SshSession, p: string): Promise<Readable | undefined> {
  const lease = await session.acquire();
  const { sftp } = lease;
  let handle: Buffer;
  let size: number;
  try {
    handle = await openFile(sftp, p, 'r');
  } catch (e) {
    lease.release();
    if (isMissing(e)) return undefined;
    throw session.lost ?? sftpError(e, 'open', p);
  }
  try {
    size = (await call<Stats>((cb) => sftp.fstat(handle, cb))).size;
  } catch (e) {
    lease.release();
    await closeFile(sftp, handle).catch(() => {});
    throw session.lost ?? sftpError(e, 'stat', p);
  }
  const readAt = async (at: number, len: number): Promise<Buffer> => {
    const buf = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const n = await call<number>((cb) => sftp.read(handle, buf, got, len - got, at + got, cb));
      if (!n)
        throw new Error(
          `read ${p}: the file ended at ${at + got} bytes, ${size} expected (changed on the remote while reading)`,
        );
      got += n;
    }
    return buf;
  };
  async function* pieces(): AsyncGenerator<Buffer> {
    const pending: Promise<Buffer>[] = [];
    let pos = 0;
    try {
      const issue = () => {
        while (pending.length < IN_FLIGHT && pos < size) {
          const len = Math.min(PIECE, size - pos);
          const r = readAt(pos, len);
          r.catch(() => {}); // awaited in order below; this only stops an unhandled rejection meanwhile
          pending.push(r);
          pos += len;
        }
      };
      issue();
      while (pending.length > 0) {
        let buf: Buffer;
        try {
          buf = await (pending.shift() as Promise<Buffer>);
        } catch (e) {
          throw session.lost ?? (typeof (e as { code?: unknown }).code === 'number' ? sftpError(e, 'read', p) : e);
        }
        issue();
        yield buf;
      }
    } finally {
      await Promise.allSettled(pending);
      await closeFile(sftp, handle).catch(() => {});
      lease.release();
    }
  }
  return Readable.from(pieces(), { objectMode: false });
}

export class SftpObjectStore implements ObjectStore {
  constructor(
    private readonly session: SshSession,
    private readonly dir: string,
    readonly location: string,
  ) {}

  private objectPath(id: ObjectId): string {
    return posix.join(this.dir, id.slice(0, 2), id.slice(2));
  }

  async has(id: ObjectId): Promise<boolean> {
    return (await this.stat(id)) !== undefined;
  }

  async stat(id: ObjectId): Promise<{ size: number } | undefined> {
    const st = await this.session.use((sftp) => statOrUndefined(sftp, this.objectPath(id)));
    return st?.isFile() ? { size: st.size } : undefined;
  }

  async hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    const unique = [...new Set(ids)];
    const present = new Set<ObjectId>();
    const statEach = (some: ObjectId[]) =>
      Promise.all(some.map(async (id) => void ((await this.has(id)) && present.add(id))));
    if (unique.length <= FEW_IDS) {
      await statEach(unique);
      return present;
    }
    const byFan = new Map<string, ObjectId[]>();
    for (const id of unique) byFan.set(id.slice(0, 2), [...(byFan.get(id.slice(0, 2)) ?? []), id]);
    const fans = [...byFan.entries()].sort((a, b) => b[1].length - a[1].length);
    const listFan = async ([fan, wanted]: [string, ObjectId[]]): Promise<number> => {
      const names = new Set(
        (await this.session.use((sftp) => namesOrEmpty(sftp, posix.join(this.dir, fan)))).map((n) => n.filename),
      );
      for (const id of wanted) if (names.has(id.slice(2))) present.add(id);
      return names.size;
    };
    // List the busiest fan-out dir, then compare: listing the rest costs ~ (overhead + entries/100) each,
    // asking costs one request per remaining id.
    const seen = await listFan(fans[0]);
    const rest = fans.slice(1);
    const listCost = rest.length * (LIST_OVERHEAD + Math.ceil(seen / NAMES_PER_READ));
    const statCost = rest.reduce((n, [, w]) => n + w.length, 0);
    if (listCost < statCost) await Promise.all(rest.map(listFan));
    else await statEach(rest.flatMap(([, w]) => w));
    return present;
  }

  async get(id: ObjectId): Promise<Readable | undefined> {
    return readStream(this.session, this.objectPath(id));
  }

  getFile(id: ObjectId, dest: string): Promise<boolean> {
    return getFileFromStream(this, id, dest);
  }

  async put(id: ObjectId, source: Readable | Buffer, opts: PutOptions = {}): Promise<void> {
    // A source that fails before it is read must reject this put, not crash the process.
    if (!Buffer.isBuffer(source)) source.on('error', () => {});
    const input: AsyncIterable<Buffer> | Iterable<Buffer> = Buffer.isBuffer(source) ? [source] : source;
    const final = this.objectPath(id);
    const tmp = tempName(final);
    // A dropped connection fails the put at once, even while it waits for its source's next bytes.
    const off = this.session.onLoss((e) => (Buffer.isBuffer(source) ? undefined : source.destroy(e)));
    await this.session
      .use(async (sftp) => {
        try {
          const h = crypto.createHash(HASH_ALGORITHM);
          await writeNewFile(this.session, sftp, tmp, input, (b) => h.update(b));
          const actual = h.digest('hex');
          if (opts.verify && actual !== digestOf(id)) throw new ObjectMismatchError(id, actual);
          try {
            await call<void>((cb) => sftp.rename(tmp, final, cb));
          } catch (e) {
            // Already there (another put won, or a retry): content-addressed, so that object is this one.
            if (!(await statOrUndefined(sftp, final))?.isFile()) throw sftpError(e, 'rename into', final);
            await unlink(sftp, tmp);
          }
        } catch (e) {
          if (!Buffer.isBuffer(source)) source.destroy();
          if (!this.session.lost) await unlink(sftp, tmp).catch(() => {});
          throw e;
        }
      })
      .finally(off);
  }

  async putFile(id: ObjectId, src: string, opts: PutOptions = {}): Promise<void> {
    return this.put(id, fs.createReadStream(src, { highWaterMark: PIECE * 4 }), opts);
  }

  async *list(): AsyncIterable<ObjectId> {
    const fans = (await this.session.use((sftp) => namesOrEmpty(sftp, this.dir)))
      .map((n) => n.filename)
      .filter((f) => /^[0-9a-f]{2}$/.test(f))
      .sort();
    for (const fan of fans) {
      const names = await this.session.use((sftp) => namesOrEmpty(sftp, posix.join(this.dir, fan)));
      for (const n of names) if (isObjectId(fan + n.filename) && n.attrs.isFile()) yield (fan + n.filename) as ObjectId;
    }
  }

  async delete(id: ObjectId): Promise<void> {
    const p = this.objectPath(id);
    await this.session.use(async (sftp) => {
      try {
        await unlink(sftp, p);
      } catch (e) {
        if (!isMissing(e)) throw sftpError(e, 'delete', p);
      }
    });
  }
}

export class SftpKeyValueStore implements KeyValueStore {
  constructor(
    private readonly session: SshSession,
    private readonly dir: string,
    readonly location: string,
  ) {}

  private file(key: string): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.' || s === ''))
      throw new Error(`invalid store key: ${key}`);
    return posix.join(this.dir, key);
  }

  async read(key: string): Promise<Buffer | undefined> {
    return readWhole(this.session, this.file(key));
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    const final = this.file(key);
    const tmp = tempName(final);
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    await this.session.use(async (sftp) => {
      try {
        await writeNewFile(this.session, sftp, tmp, [bytes], () => {});
        if (this.session.posixRename) {
          await call<void>((cb) => sftp.ext_openssh_rename(tmp, final, cb));
        } else {
          // No atomic replace on this server: remove, then rename (a reader may briefly see no record).
          await unlink(sftp, final).catch(() => {});
          await call<void>((cb) => sftp.rename(tmp, final, cb));
        }
      } catch (e) {
        if (!this.session.lost) await unlink(sftp, tmp).catch(() => {});
        throw typeof (e as { code?: unknown }).code === 'number' ? sftpError(e, 'write', final) : e;
      }
    });
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const rel = prefix === '' ? '' : prefix.endsWith('/') ? prefix : `${prefix}/`;
    const walk = async function* (this: SftpKeyValueStore, dir: string, r: string): AsyncGenerator<string> {
      const names = await this.session.use((sftp) => namesOrEmpty(sftp, dir));
      for (const n of names) {
        if (n.attrs.isDirectory()) yield* walk.call(this, posix.join(dir, n.filename), `${r}${n.filename}/`);
        else if (n.attrs.isFile() && !n.filename.endsWith('.tmp')) yield `${r}${n.filename}`;
      }
    };
    yield* walk.call(this, rel === '' ? this.dir : posix.join(this.dir, rel), rel);
  }

  async delete(key: string): Promise<void> {
    const p = this.file(key);
    await this.session.use(async (sftp) => {
      try {
        await unlink(sftp, p);
      } catch (e) {
        if (!isMissing(e)) throw sftpError(e, 'delete', p);
      }
    });
  }
}
