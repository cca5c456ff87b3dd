// Patient-level assignment: zero overlap on adversarial inputs, stratification quality, reproducibility.
import { describe, expect, it } from 'vitest';
import { Sfc32 } from '../../../src/shared/rng.js';
import { assignPatients, SPLITS, type PatientUnit, type SplitName } from '../../../src/ml/data/split-by-patient.js';

const RATIOS = { train: 0.7, val: 0.15, test: 0.15 };

/** A realistic multi-label cohort: 1-6 images per patient, 5 labels with prevalences 2%-20%. */
function cohort(n: number, seed: number): PatientUnit[] {
  const rng = new Sfc32(seed);
  const prev = [0.2, 0.12, 0.08, 0.05, 0.02];
  return Array.from({ length: n }, (_, i) => {
    const images = rng.int(1, 6);
    return { id: `p${i}`, images, labelCounts: prev.map((p) => (rng.bool(p) ? rng.int(1, images) : 0)) };
  });
}

function labelShare(units: PatientUnit[], split: Map<string, SplitName>, label: number, s: SplitName): number {
  const total = units.reduce((a, u) => a + (u.labelCounts[label] ?? 0), 0);
  return units.filter((u) => split.get(u.id) === s).reduce((a, u) => a + (u.labelCounts[label] ?? 0), 0) / total;
}

describe('assignPatients', () => {
  it('assigns every patient exactly once, so no patient can be in two splits', () => {
    const units = cohort(500, 1);
    const split = assignPatients(units, RATIOS, 42);
    expect(split.size).toBe(500);
    expect(new Set(split.keys())).toEqual(new Set(units.map((u) => u.id)));
  });

  it('keeps a 50-image patient whole and still fills the other splits', () => {
    const units: PatientUnit[] = [
      { id: 'big', images: 50, labelCounts: [50, 0] },
      ...Array.from({ length: 40 }, (_, i) => ({ id: `s${i}`, images: 1, labelCounts: [i % 4 === 0 ? 1 : 0, 0] })),
    ];
    const split = assignPatients(units, RATIOS, 7);
    const sizes = Object.fromEntries(
      SPLITS.map((s) => [s, units.filter((u) => split.get(u.id) === s).reduce((a, u) => a + u.images, 0)]),
    );
    expect(sizes['train']).toBeGreaterThanOrEqual(50);
    expect(sizes['val']).toBeGreaterThan(0);
    expect(sizes['test']).toBeGreaterThan(0);
  });

  it('puts a label carried by a single patient in one split only, and spreads a 3-patient label over all three', () => {
    const units: PatientUnit[] = [
      { id: 'only', images: 3, labelCounts: [3, 0] },
      { id: 'r1', images: 1, labelCounts: [0, 1] },
      { id: 'r2', images: 2, labelCounts: [0, 2] },
      { id: 'r3', images: 1, labelCounts: [0, 1] },
      ...Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, images: 2, labelCounts: [0, 0] })),
    ];
    const split = assignPatients(units, RATIOS, 3);
    expect(new Set(['r1', 'r2', 'r3'].map((id) => split.get(id)))).toEqual(new Set(SPLITS));
    expect(SPLITS).toContain(split.get('only'));
  });

  it('stratifies: every label within 5 points of the target share in every split', () => {
    const units = cohort(1500, 2);
    const split = assignPatients(units, RATIOS, 42);
    for (let l = 0; l < 5; l++) {
      for (const s of SPLITS) expect(Math.abs(labelShare(units, split, l, s) - RATIOS[s])).toBeLessThan(0.05);
    }
  });

  it('is reproducible for a seed and changes with the seed', () => {
    const units = cohort(300, 3);
    const a = assignPatients(units, RATIOS, 11);
    const b = assignPatients([...units].reverse(), RATIOS, 11);
    expect([...a].sort()).toEqual([...b].sort());
    const c = assignPatients(units, RATIOS, 12);
    expect([...a].sort()).not.toEqual([...c].sort());
  });

  it('respects pinned patients (official test list) and shares the rest between train and val', () => {
    const units = cohort(200, 4).map((u, i) => (i < 30 ? { ...u, pinned: 'test' as const } : u));
    const split = assignPatients(units, RATIOS, 5);
    units.forEach((u, i) => (i < 30 ? expect(split.get(u.id)).toBe('test') : expect(split.get(u.id)).not.toBe('test')));
  });
});
