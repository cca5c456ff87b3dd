/**
 * The ObjectStore and KeyValueStore of an `s3://bucket/prefix` remote. Layout mirrors `cache/`:
 * `<prefix>/ab/cdef…` objects and `<prefix>/runs/<stage>/<key>.json` run-cache records, so a remote can be
 * shared by several projects and synced with `aws s3 sync`.
 * - put streams through lib-storage's Upload: one PutObject below PART_SIZE, a multipart upload above it
 *   (parts streamed from the source, at most QUEUE_SIZE parts in memory). Both are atomic: the key appears
 *   only when the PUT or CompleteMultipartUpload succeeds; a failed multipart upload is aborted.
 * - get returns the response body stream (never buffered); the caller verifies the bytes (fetch puts them
 *   into the local cache with verify).
 * - hasMany picks HeadObject per id or a listing, whichever costs fewer requests (s3-existence.ts).
 * Owns: keys, requests and their errors. Does not own: the client (s3-client.ts), the cost model.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import PQueue from 'p-queue';
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
import type { RemoteConfig } from '../../config/project-config.js';
import { classifyS3Error, httpStatus, recordExistence, type S3Target } from './s3-client.js';
import { estimateFromPage, hashPosition, PAGE, planExistence, type ExistenceStrategy } from './s3-existence.js';

/** Multipart threshold and part size (as `aws s3 cp`): objects above 8 MiB go up in 8 MiB parts. */
export const PART_SIZE = 8 * 1024 * 1024;
/** Parts of one object in flight (and in memory) at once. */
const QUEUE_SIZE = 4;

function isAbsent(e: unknown): boolean {
  const name = (e as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatus(e) === 404 && name !== 'NoSuchBucket');
}

export class S3ObjectStore implements ObjectStore {
  readonly location: string;
  /** Objects the remote is estimated to hold (from a listing), once known. */
  estimatedObjects: number | undefined;
  /** Ids a hasMany of this session found absent: a put of one skips its HeadObject. */
  private readonly knownAbsent = new Set<ObjectId>();

  constructor(
    private readonly t: S3Target,
    private readonly remote: RemoteConfig,
    private readonly jobs: number,
  ) {
    this.location = `s3://${t.bucket}/${t.base}`;
  }

  private key(id: ObjectId): string {
    return `${this.t.base}${id.slice(0, 2)}/${id.slice(2)}`;
  }

  /** The id stored under relative key `rel` (`ab/cdef…`), or undefined for any other key. */
  private static idOf(rel: string): ObjectId | undefined {
    const m = /^([0-9a-f]{2})\/([0-9a-f]+(?:\.dir)?)$/.exec(rel);
    const id = m ? `${m[1]}${m[2]}` : '';
    return isObjectId(id) ? (id as ObjectId) : undefined;
  }

  private fail(e: unknown): never {
    throw classifyS3Error(e, this.remote, this.t);
  }

  /** One open-time request: checks bucket and credentials, and learns whether the remote is empty. */
  async probe(): Promise<void> {
    try {
      const r = await this.t.client.send(
        new ListObjectsV2Command({ Bucket: this.t.bucket, Prefix: this.t.base, MaxKeys: 1 }),
      );
      if ((r.KeyCount ?? 0) === 0) this.estimatedObjects = 0;
    } catch (e) {
      this.fail(e);
    }
  }

  async has(id: ObjectId): Promise<boolean> {
    return (await this.stat(id)) !== undefined;
  }

  async stat(id: ObjectId): Promise<{ size: number } | undefined> {
    try {
      const r = await this.t.client.send(new HeadObjectCommand({ Bucket: this.t.bucket, Key: this.key(id) }));
      return { size: r.ContentLength ?? 0 };
    } catch (e) {
      if (isAbsent(e)) return undefined;
      this.fail(e);
    }
  }

  async hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    const wanted = [...new Set(ids)];
    const present = new Set<ObjectId>();
    if (wanted.length === 0) return present;
    let requests = 0;
    const listed = new Set<ObjectId>();
    /** Lists keys under `prefix` from `token` on; stops past the object folders. Returns where it stopped. */
    const list = async (
      prefix: string,
      opts: { token?: string; maxPages?: number } = {},
    ): Promise<{ truncated: boolean; token?: string; lastRel?: string; keys: number }> => {
      let token = opts.token;
      let keys = 0;
      let lastRel: string | undefined;
      for (let page = 0; ; page++) {
        let r: ListObjectsV2CommandOutput;
        try {
          requests++;
          r = await this.t.client.send(
            new ListObjectsV2Command({
              Bucket: this.t.bucket,
              Prefix: prefix,
              MaxKeys: PAGE,
              ...(token !== undefined ? { ContinuationToken: token } : {}),
            }),
          );
        } catch (e) {
          this.fail(e);
        }
        for (const o of r.Contents ?? []) {
          lastRel = (o.Key ?? '').slice(this.t.base.length);
          const id = S3ObjectStore.idOf(lastRel);
          if (id !== undefined) {
            listed.add(id);
            keys++;
          }
        }
        token = r.NextContinuationToken;
        const pastObjects = lastRel !== undefined && hashPosition(lastRel) >= 1;
        if (!r.IsTruncated || token === undefined || pastObjects)
          return { truncated: false, keys, ...(lastRel !== undefined ? { lastRel } : {}) };
        if (opts.maxPages !== undefined && page + 1 >= opts.maxPages)
          return { truncated: true, token, keys, ...(lastRel !== undefined ? { lastRel } : {}) };
      }
    };
    let strategy: ExistenceStrategy;
    let rest = wanted;
    let covered = 0;
    let token: string | undefined;
    if (this.estimatedObjects === undefined && wanted.length > 1) {
      // The probe: the first page of the full listing answers a small remote outright and sizes a large one.
      const first = await list(this.t.base, { maxPages: 1 });
      if (!first.truncated) {
        this.estimatedObjects = first.keys;
        rest = [];
      } else {
        covered = hashPosition(first.lastRel ?? '');
        this.estimatedObjects = estimateFromPage(first.keys, covered);
        token = first.token;
        const last = first.lastRel ?? '';
        rest = wanted.filter((id) => `${id.slice(0, 2)}/${id.slice(2)}` > last);
      }
      strategy = 'list-all';
    } else {
      strategy = 'head';
    }
    if (rest.length > 0) {
      const plan = planExistence(rest, this.estimatedObjects ?? 0, covered);
      strategy = plan.strategy;
      const queue = new PQueue({ concurrency: this.jobs });
      if (plan.strategy === 'head') {
        await Promise.all(
          rest.map((id) =>
            queue.add(async () => {
              requests++;
              if (await this.has(id)) listed.add(id);
            }),
          ),
        );
      } else if (plan.strategy === 'list-prefixes') {
        const folders = [...new Set(rest.map((id) => id.slice(0, 2)))];
        await Promise.all(folders.map((f) => queue.add(() => list(`${this.t.base}${f}/`))));
      } else {
        await list(this.t.base, token !== undefined ? { token } : {});
      }
    }
    for (const id of wanted) {
      if (listed.has(id)) present.add(id);
      else this.knownAbsent.add(id);
    }
    recordExistence({
      ids: wanted.length,
      strategy,
      requests,
      ...(this.estimatedObjects !== undefined ? { estimatedObjects: this.estimatedObjects } : {}),
    });
    return present;
  }

  async get(id: ObjectId): Promise<Readable | undefined> {
    try {
      const r = await this.t.client.send(new GetObjectCommand({ Bucket: this.t.bucket, Key: this.key(id) }));
      return r.Body as Readable;
    } catch (e) {
      if (isAbsent(e)) return undefined;
      this.fail(e);
    }
  }

  getFile(id: ObjectId, dest: string): Promise<boolean> {
    return getFileFromStream(this, id, dest);
  }

  async put(id: ObjectId, source: Readable | Buffer, opts: PutOptions = {}): Promise<void> {
    // A source that fails before Upload reads it must reject this put, not crash the process.
    if (!Buffer.isBuffer(source)) source.on('error', () => {});
    const absent = this.knownAbsent.delete(id);
    if (!absent && (await this.has(id))) {
      if (!Buffer.isBuffer(source)) source.destroy();
      return;
    }
    let body: Readable | Buffer = source;
    if (Buffer.isBuffer(source)) {
      const actual = crypto.createHash(HASH_ALGORITHM).update(source).digest('hex');
      if (opts.verify && actual !== digestOf(id)) throw new ObjectMismatchError(id, actual);
    } else if (opts.verify) {
      // The hash is known when the source ends, before Upload can complete: a mismatch fails the stream,
      // so the PUT is never sent, or the multipart upload is aborted instead of completed.
      const h = crypto.createHash(HASH_ALGORITHM);
      const check = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          h.update(chunk);
          cb(null, chunk);
        },
        flush(cb) {
          const actual = h.digest('hex');
          cb(actual === digestOf(id) ? null : new ObjectMismatchError(id, actual));
        },
      });
      source.on('error', (e) => check.destroy(e));
      body = source.pipe(check);
    }
    await this.upload(id, body);
  }

  private async upload(id: ObjectId, body: Readable | Buffer): Promise<void> {
    let streamError: Error | undefined;
    if (!Buffer.isBuffer(body)) body.on('error', (e: Error) => (streamError ??= e));
    const up = new Upload({
      client: this.t.client,
      params: { Bucket: this.t.bucket, Key: this.key(id), Body: body },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await up.done();
    } catch (e) {
      // The source's own failure (a hash mismatch, a broken local read) is the error, not the S3 one.
      if (streamError !== undefined) throw streamError;
      if (e instanceof ObjectMismatchError) throw e;
      this.fail(e);
    }
    if (streamError !== undefined) throw streamError;
  }

  async putFile(id: ObjectId, src: string, opts: PutOptions = {}): Promise<void> {
    await this.put(id, fs.createReadStream(src), opts);
  }

  async *list(): AsyncIterable<ObjectId> {
    for await (const rel of listKeys(this.t, this.t.base, (e) => this.fail(e))) {
      const id = S3ObjectStore.idOf(rel);
      if (id !== undefined) yield id;
    }
  }

  async delete(id: ObjectId): Promise<void> {
    try {
      await this.t.client.send(new DeleteObjectCommand({ Bucket: this.t.bucket, Key: this.key(id) }));
    } catch (e) {
      if (!isAbsent(e)) this.fail(e);
    }
    this.knownAbsent.add(id);
  }
}

/** Keys under `prefix`, relative to the remote's base, page by page. */
async function* listKeys(t: S3Target, prefix: string, fail: (e: unknown) => never): AsyncIterable<string> {
  let token: string | undefined;
  do {
    let r: ListObjectsV2CommandOutput;
    try {
      r = await t.client.send(
        new ListObjectsV2Command({
          Bucket: t.bucket,
          Prefix: prefix,
          MaxKeys: PAGE,
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }),
      );
    } catch (e) {
      fail(e);
    }
    for (const o of r.Contents ?? []) if (o.Key !== undefined) yield o.Key.slice(t.base.length);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token !== undefined);
}

/** Run-cache records under `<prefix>/runs/`: each a single PutObject, so a reader sees old or new bytes. */
export class S3KeyValueStore implements KeyValueStore {
  readonly location: string;
  private readonly runs: string;

  constructor(
    private readonly t: S3Target,
    private readonly remote: RemoteConfig,
  ) {
    this.runs = `${t.base}runs/`;
    this.location = `s3://${t.bucket}/${this.runs}`;
  }

  private fail(e: unknown): never {
    throw classifyS3Error(e, this.remote, this.t);
  }

  private key(key: string): string {
    const parts = key.split('/');
    if (key.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..'))
      throw new Error(`run-cache key "${key}" is not a relative path inside the store`);
    return this.runs + key;
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      const r = await this.t.client.send(new GetObjectCommand({ Bucket: this.t.bucket, Key: this.key(key) }));
      return Buffer.from(await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    } catch (e) {
      if (isAbsent(e)) return undefined;
      this.fail(e);
    }
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    const k = this.key(key);
    try {
      await this.t.client.send(
        new PutObjectCommand({ Bucket: this.t.bucket, Key: k, Body: Buffer.isBuffer(data) ? data : Buffer.from(data) }),
      );
    } catch (e) {
      this.fail(e);
    }
  }

  async *list(prefix = ''): AsyncIterable<string> {
    const strip = this.runs.length - this.t.base.length;
    for await (const rel of listKeys(this.t, this.runs + prefix, (e) => this.fail(e))) yield rel.slice(strip);
  }

  async delete(key: string): Promise<void> {
    const k = this.key(key);
    try {
      await this.t.client.send(new DeleteObjectCommand({ Bucket: this.t.bucket, Key: k }));
    } catch (e) {
      if (!isAbsent(e)) this.fail(e);
    }
  }
}
