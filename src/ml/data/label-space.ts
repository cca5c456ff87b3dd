/**
 * Maps the dataset's findings onto the model's label space for `data.task`:
 * - `multilabel`: every finding seen in the dataset (sorted), multi-hot; `No Finding` is all zeros.
 * - `binary`: one label: `Pneumonia` for a dataset whose only finding is Pneumonia (Kermany), otherwise
 *   `Abnormal` (any finding).
 * - `multiclass`: exactly one class per image: Kermany `Normal | Bacterial | Viral` (as in the source
 *   projects); other datasets `Normal` + their findings, which requires at most one finding per image.
 *
 * Owns: the `LabelSpace` and per-record label names. Does not own: which records exist.
 */
import { InputError } from '../params/index.js';
import type { LabelSpace, Task } from './preprocessed-format.js';
import type { BadRow, ImageRecord } from './records.js';

export interface LabelMapping {
  space: LabelSpace;
  /** Names (subset of `space.labels`) for a record. */
  namesOf(record: ImageRecord): string[];
  /** Records that cannot be expressed in the task (e.g. several findings under multiclass). */
  bad: BadRow[];
}

export function vectorOf(space: LabelSpace, names: readonly string[]): number[] {
  return space.labels.map((l) => (names.includes(l) ? 1 : 0));
}

export function buildLabelSpace(records: readonly ImageRecord[], task: Task, format: string): LabelMapping {
  const found = [...new Set(records.flatMap((r) => r.labels))].sort();
  const bad: BadRow[] = [];
  if (task === 'multilabel') {
    if (found.length === 0)
      throw new InputError(
        'the dataset has no findings at all, so there is nothing to learn for data.task: multilabel. Check the labels column or data.format.',
      );
    return { space: { task, labels: found }, namesOf: (r) => [...r.labels].sort(), bad };
  }
  if (task === 'binary') {
    const positive = found.length === 1 && found[0] === 'Pneumonia' ? 'Pneumonia' : 'Abnormal';
    return { space: { task, labels: [positive] }, namesOf: (r) => (r.labels.length > 0 ? [positive] : []), bad };
  }
  if (format === 'kermany') {
    for (const r of records) {
      if (r.labels.length > 0 && !r.subtype)
        bad.push({
          file: r.path,
          problem: 'PNEUMONIA image without bacteria/virus in its name, so no class for data.task: multiclass',
        });
    }
    return {
      space: { task, labels: ['Normal', 'Bacterial', 'Viral'] },
      namesOf: (r) => [r.labels.length === 0 ? 'Normal' : (r.subtype ?? 'Bacterial')],
      bad,
    };
  }
  for (const r of records) {
    if (r.labels.length > 1)
      bad.push({
        file: r.path,
        problem: `${r.labels.length} findings (${r.labels.join('|')}) but data.task: multiclass needs at most one`,
      });
  }
  return { space: { task, labels: ['Normal', ...found] }, namesOf: (r) => [r.labels[0] ?? 'Normal'], bad };
}
