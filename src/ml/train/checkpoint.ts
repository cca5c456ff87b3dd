/**
 * Per-epoch training checkpoints, so an interrupted run resumes from its last finished epoch and ends
 * with the same weights as an uninterrupted one.
 *
 * A checkpoint directory holds `state.json` (epoch count, RNG state, history, early-stopping and
 * schedule state, tensor manifest) and `tensors.bin` (current weights, best weights, optimiser
 * slots, float32 little-endian). It is written to a sibling temp directory and renamed into place,
 * so a crash mid-write leaves the previous checkpoint intact.
 *
 * Owns: the on-disk format. Does not own: where checkpoints live (the stage picks a folder keyed by a
 * hash of its inputs and params) or when to delete them.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EarlyStoppingState } from './early-stopping.js';
import type { ScheduleState } from './schedule.js';

/** One epoch of training history (also a row of plots/train_history.csv). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  val_loss: number;
  val_auc: number | null;
  val_ap: number | null;
  lr: number;
  seconds: number;
}

/** A named float32 array with its shape. */
export interface StoredTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface CheckpointState {
  /** Epochs finished (the next epoch to run, 0-based). */
  epochsDone: number;
  rngState: number;
  history: EpochRecord[];
  earlyStopping: EarlyStoppingState;
  schedule: ScheduleState;
  /** Training time and images so far (for images/s). */
  trainSeconds: number;
  trainImages: number;
  /** Training-call counters of the model's seeded dropout layers (models/custom-layers.ts). */
  dropout: Record<string, number>;
  weights: StoredTensor[];
  bestWeights: StoredTensor[] | null;
  optimizer: StoredTensor[];
}

const VERSION = 1;

interface Manifest extends Omit<CheckpointState, 'weights' | 'bestWeights' | 'optimizer'> {
  version: number;
  groups: Record<'weights' | 'bestWeights' | 'optimizer', { name: string; shape: number[]; length: number }[] | null>;
}

/** Writes `state` atomically into `dir`. */
export async function saveCheckpoint(dir: string, state: CheckpointState): Promise<void> {
  const groups = { weights: state.weights, bestWeights: state.bestWeights, optimizer: state.optimizer };
  const parts: Float32Array[] = [];
  const manifestGroups = {} as Manifest['groups'];
  for (const [key, tensors] of Object.entries(groups) as [keyof typeof groups, StoredTensor[] | null][]) {
    manifestGroups[key] = tensors?.map((t) => ({ name: t.name, shape: t.shape, length: t.data.length })) ?? null;
    for (const t of tensors ?? []) parts.push(t.data);
  }
  const { weights: _w, bestWeights: _b, optimizer: _o, ...rest } = state;
  const manifest: Manifest = { version: VERSION, ...rest, groups: manifestGroups };
  const total = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(path.join(tmp, 'tensors.bin'), new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  await writeFile(path.join(tmp, 'state.json'), JSON.stringify(manifest));
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

/** Reads a checkpoint, or null when `dir` holds none (or an unreadable one from another version). */
export async function loadCheckpoint(dir: string): Promise<CheckpointState | null> {
  if (!existsSync(path.join(dir, 'state.json'))) return null;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as Manifest;
  } catch {
    return null;
  }
  if (manifest.version !== VERSION) return null;
  const buffer = await readFile(path.join(dir, 'tensors.bin'));
  const all = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
  let offset = 0;
  const take = (group: Manifest['groups']['weights']): StoredTensor[] | null =>
    group?.map((g) => {
      const data = all.slice(offset, offset + g.length);
      offset += g.length;
      return { name: g.name, shape: g.shape, data };
    }) ?? null;
  const weights = take(manifest.groups.weights) ?? [];
  const bestWeights = take(manifest.groups.bestWeights);
  const optimizer = take(manifest.groups.optimizer) ?? [];
  const { version: _v, groups: _g, ...rest } = manifest;
  return { ...rest, weights, bestWeights, optimizer };
}

export async function deleteCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
