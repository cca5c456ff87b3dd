/**
 * The storage seam: an `ObjectStore` maps content ids to bytes, and a `KeyValueStore` holds small named
 * records (run-cache entries) next to the objects. Both are async so a remote (path, SSH/SFTP, S3) can
 * implement them; tests/engine/object-store.contract.ts is the behaviour every implementation must pass.
 * Owns: the interfaces and id helpers. Does not own: any backend (local-object-store.ts is the local one),
 * nor putting objects into a workspace (a local-store capability, see checkout.ts).
 */
import type { Readable } from 'node:stream';
import type { ContentHash } from '../model/brands.js';
import { writeStreamAtomic } from '../../shared/atomic.js';

export const CACHE_DIR = 'cache';

/** An object id: the hex content hash of a file, or of a directory manifest followed by `.dir`. */
export type ObjectId = ContentHash;

/** The digest the bytes of object `id` must hash to (a manifest object's id carries a `.dir` suffix). */
export function digestOf(id: ObjectId): string {
  return id.endsWith('.dir') ? id.slice(0, -4) : id;
}

/** True for a well-formed id (so a listing never returns temp files or foreign names). */
export function isObjectId(s: string): boolean {
  return /^[0-9a-f]{40,64}(\.dir)?$/.test(s);
}

/** put(..., { verify: true }) received bytes that do not hash to the id: nothing was stored. */
export class ObjectMismatchError extends Error {
  constructor(
    readonly id: ObjectId,
    readonly actual: string,
  ) {
    super(`object ${id}: received bytes hash to ${actual}`);
    this.name = 'ObjectMismatchError';
  }
}

export interface PutOptions {
  /** Hash the bytes while storing them and reject (ObjectMismatchError) when they do not match the id. */
  verify?: boolean;
}

/**
 * Content-addressed bytes. Contract (tests/engine/object-store.contract.ts):
 * - put is idempotent, and an object is never visible under its id before all its bytes are stored
 *   (write to a temporary name, then rename, or an atomic PUT); concurrent puts of one id are safe.
 * - get/getFile of an absent id give undefined/false, never an error.
 * - list yields every stored id exactly once (order unspecified) and nothing else.
 */
export interface ObjectStore {
  /** Where the store lives, for messages (never contains credentials). */
  readonly location: string;
  has(id: ObjectId): Promise<boolean>;
  /** The subset of `ids` present in the store: one call for a remote's batch existence check. */
  hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>>;
  /** Size in bytes, or undefined when absent. */
  stat(id: ObjectId): Promise<{ size: number } | undefined>;
  /** A stream of the object's bytes, or undefined when absent. */
  get(id: ObjectId): Promise<Readable | undefined>;
  /** Writes the object's bytes to `dest` (replacing it, never leaving half a file); false when absent. */
  getFile(id: ObjectId, dest: string): Promise<boolean>;
  /** Stores bytes under `id` (a stream for large objects). A no-op when the id is already present. */
  put(id: ObjectId, source: Readable | Buffer, opts?: PutOptions): Promise<void>;
  /** Stores the file at `src` under `id`. */
  putFile(id: ObjectId, src: string, opts?: PutOptions): Promise<void>;
  list(): AsyncIterable<ObjectId>;
  /** Removes `id`; a no-op when absent. */
  delete(id: ObjectId): Promise<void>;
}

/**
 * Small named records (keys are POSIX relative paths such as `train/<run key>.json`), written atomically.
 * The run cache lives in one, so pushing it to a remote is copying records between two of them.
 */
export interface KeyValueStore {
  readonly location: string;
  read(key: string): Promise<Buffer | undefined>;
  /** Replaces the record atomically: a reader sees the old or the new bytes, never a mix. */
  write(key: string, data: Buffer | string): Promise<void>;
  /** Every key under `prefix` (a `/`-terminated folder, or '' for all). */
  list(prefix?: string): AsyncIterable<string>;
  delete(key: string): Promise<void>;
}

/** `getFile` in terms of `get`, for stores whose objects arrive as streams (the SSH and S3 remotes). */
export async function getFileFromStream(store: Pick<ObjectStore, 'get'>, id: ObjectId, dest: string): Promise<boolean> {
  const body = await store.get(id);
  if (!body) return false;
  await writeStreamAtomic(dest, body);
  return true;
}
