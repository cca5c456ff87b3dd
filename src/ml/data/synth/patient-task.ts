/**
 * Renders and writes all follow-up images (and lung masks) of one synthetic patient. This is the unit of
 * work a worker thread runs (`handle`), so the whole dataset is generated on every core. Every random
 * draw comes from a stream seeded by (seed, patient), so output does not depend on scheduling.
 *
 * Owns: one patient's images, masks and CSV rows. Does not own: the dataset folder or the CSV file.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { deriveSeed, Sfc32, type Rng } from '../../../shared/rng.js';
import { sampleAnatomy, samplePose, sampleScanner } from './anatomy.js';
import { drawFinding, planFindings, type FindingName } from './findings.js';
import { renderBase, renderImage } from './render.js';

export interface PatientTask {
  seed: number;
  /** 1-based patient number (the NIH `Patient ID`). */
  patient: number;
  size: number;
  prevalence: Record<FindingName, number>;
  /** Folder that receives `images/` and `masks/`. */
  outDir: string;
}

/** One row of Data_Entry_2017.csv, in the real file's column order. */
export type EntryRow = [string, string, number, number, number, string, string, number, number, number, number];

const FOLLOWUP_WEIGHTS = [0.36, 0.2, 0.15, 0.12, 0.1, 0.07];

function followupCount(rng: Rng): number {
  let u = rng.next();
  for (let k = 0; k < FOLLOWUP_WEIGHTS.length; k++) {
    u -= FOLLOWUP_WEIGHTS[k];
    if (u < 0) return k + 1;
  }
  return FOLLOWUP_WEIGHTS.length;
}

export function encodeGrayPng(pixels: Uint8Array, size: number): Promise<Buffer> {
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/** Renders the patient in memory: pixels, masks and rows (no files). */
export function renderPatient(
  task: PatientTask,
): { name: string; image: Uint8Array; mask: Uint8Array; row: EntryRow }[] {
  const rng = new Sfc32(deriveSeed(task.seed, task.patient));
  const cardiomegaly = rng.bool(task.prevalence.Cardiomegaly);
  const anatomy = sampleAnatomy(rng, cardiomegaly);
  const n = followupCount(rng);
  const plans = planFindings(rng, anatomy, task.prevalence, n, cardiomegaly);
  const base = renderBase(anatomy, task.size, rng);
  const age0 = rng.int(18, 84);
  const gender = rng.bool(0.56) ? 'M' : 'F';
  const pixelCount = task.size * task.size;
  return plans.map((plan, f) => {
    const att = base.att.slice();
    const markFactor = new Float32Array(pixelCount).fill(1);
    for (const finding of plan.findings) drawFinding(finding, anatomy, base, att, markFactor);
    for (let i = 0; i < pixelCount; i++) att[i] = att[i] + base.markings[i] * markFactor[i];
    const pose = samplePose(rng);
    const scanner = sampleScanner(rng);
    const { image, mask } = renderImage(att, base.lung, task.size, pose, scanner, rng);
    const name = `${String(task.patient).padStart(8, '0')}_${String(f).padStart(3, '0')}.png`;
    const labels = plan.labels.length > 0 ? plan.labels.join('|') : 'No Finding';
    const view = rng.bool(0.22) ? 'AP' : 'PA';
    const spacing = rng.pick([0.143, 0.168, 0.139]);
    const row: EntryRow = [
      name,
      labels,
      f,
      task.patient,
      age0 + Math.floor(f / 2),
      gender,
      view,
      rng.int(2048, 3056),
      rng.int(2048, 3056),
      spacing,
      spacing,
    ];
    return { name, image, mask, row };
  });
}

/** Worker entry: renders one patient and writes its PNGs; returns the CSV rows. */
export async function handle(task: PatientTask): Promise<EntryRow[]> {
  const rows: EntryRow[] = [];
  for (const img of renderPatient(task)) {
    const [png, maskPng] = await Promise.all([encodeGrayPng(img.image, task.size), encodeGrayPng(img.mask, task.size)]);
    await writeFile(path.join(task.outDir, 'images', img.name), png);
    await writeFile(path.join(task.outDir, 'masks', img.name), maskPng);
    rows.push(img.row);
  }
  return rows;
}
