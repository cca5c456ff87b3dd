/**
 * Generates the synthetic dataset in the NIH ChestX-ray14 layout:
 * `<out>/images/<patient>_<followup>.png`, `<out>/masks/<same name>.png` (lung fields, 0/255) and
 * `<out>/Data_Entry_2017.csv` with the real file's header. The folder is built next to `outDir` and
 * swapped in at the end, so a cancelled run never leaves half a dataset.
 *
 * Owns: synth parameters (validated), the dataset folder and CSV. Does not own: pixels (render.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toCsv } from '../csv.js';
import { asSection, invalidParam, Reader } from '../../params/index.js';
import { makeStagingDir, replaceDir } from '../../../shared/atomic.js';
import { runPool } from '../worker-pool.js';
import { DEFAULT_PREVALENCE, FINDINGS, type FindingName } from './findings.js';
import type { EntryRow, PatientTask } from './patient-task.js';

/** The real header: bracketed names are unquoted, so a row has 11 fields. */
export const NIH_HEADER =
  'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]';

export interface SynthOptions {
  seed: number;
  patients: number;
  /** Side of the square images in pixels. */
  size: number;
  prevalence: Record<FindingName, number>;
}

export interface SynthResult {
  images: number;
  patients: number;
  /** Images per label (`No Finding` included). */
  labelCounts: Record<string, number>;
}

/** Validates the `synth` params section. */
export function parseSynthParams(raw: unknown): SynthOptions {
  const s = new Reader(asSection(raw, 'synth'), 'synth');
  const prevalence = { ...DEFAULT_PREVALENCE };
  const given = s.sub('prevalence');
  for (const key of given.keys()) {
    if (!(FINDINGS as readonly string[]).includes(key))
      throw invalidParam(given.field(key), `a finding among ${FINDINGS.join(', ')}`, key);
    // no default: a listed finding with a null prevalence is an error, not "use the default"
    prevalence[key as FindingName] = given.number(key, Number.NaN, { min: 0, max: 1 });
  }
  return {
    seed: s.nonNegativeInt('seed', 42),
    patients: s.positiveInt('patients', 600),
    size: s.int('size', 256, 32, 4096),
    prevalence,
  };
}

export async function generateSynthetic(
  outDir: string,
  opts: SynthOptions,
  run: { threads?: number; signal?: AbortSignal; onPatient?: () => void } = {},
): Promise<SynthResult> {
  const staging = await makeStagingDir(outDir);
  await mkdir(path.join(staging, 'images'));
  await mkdir(path.join(staging, 'masks'));
  const tasks: PatientTask[] = Array.from({ length: opts.patients }, (_, i) => ({
    seed: opts.seed,
    patient: i + 1,
    size: opts.size,
    prevalence: opts.prevalence,
    outDir: staging,
  }));
  const results = await runPool<PatientTask, EntryRow[]>(
    new URL('./patient-task' + path.extname(new URL(import.meta.url).pathname), import.meta.url),
    tasks,
    {
      threads: run.threads,
      signal: run.signal,
      onDone: () => run.onPatient?.(),
    },
  );
  const rows = results.flat();
  const labelCounts: Record<string, number> = {};
  for (const r of rows) for (const l of r[1].split('|')) labelCounts[l] = (labelCounts[l] ?? 0) + 1;
  await writeFile(path.join(staging, 'Data_Entry_2017.csv'), NIH_HEADER + '\n' + toCsv(rows));
  await replaceDir(staging, outDir);
  return { images: rows.length, patients: opts.patients, labelCounts };
}
