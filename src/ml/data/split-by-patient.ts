/**
 * Patient-level train/val/test assignment with iterative stratification (Sechidis et al. 2011) for
 * multi-label data, so no patient is in two splits and rare labels reach every split.
 *
 * A patient is one indivisible unit weighted by its images: the rarest label is placed first; each of
 * its patients goes to the split that (1) has none of that label yet, else (2) still wants the most
 * images of that label, else (3) still wants the most images, ties broken by the seeded RNG. Patients
 * without findings then fill the splits to their image targets. Pure: no IO.
 *
 * Owns: the assignment. Does not own: reading datasets, labels or writing files.
 */
import { Sfc32 } from '../../shared/rng.js';

export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];
export type Ratios = Record<SplitName, number>;

export interface PatientUnit {
  id: string;
  images: number;
  /** Per label index: how many of the patient's images carry it. */
  labelCounts: number[];
  /** Pinned split (e.g. the official test list); pinned patients are not stratified. */
  pinned?: SplitName;
}

export function assignPatients(units: readonly PatientUnit[], ratios: Ratios, seed: number): Map<string, SplitName> {
  const rng = new Sfc32(seed);
  const result = new Map<string, SplitName>();
  const free: PatientUnit[] = [];
  for (const u of units) {
    if (u.pinned) result.set(u.id, u.pinned);
    else free.push(u);
  }
  // Pinned patients fill nothing: the free ones share the splits whose ratio is positive and not pinned.
  const pinnedSplits = new Set(units.flatMap((u) => (u.pinned ? [u.pinned] : [])));
  const targets = SPLITS.filter((s) => ratios[s] > 0 && !(pinnedSplits.has(s) && s === 'test'));
  const sum = targets.reduce((a, s) => a + ratios[s], 0);
  const nLabels = units[0]?.labelCounts.length ?? 0;
  const order = rng.shuffle([...free].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const totalImages = order.reduce((a, u) => a + u.images, 0);
  const wantTotal = new Map(targets.map((s) => [s, (ratios[s] / sum) * totalImages]));
  const wantLabel = new Map(
    targets.map((s) => [
      s,
      Array.from(
        { length: nLabels },
        (_, l) => (ratios[s] / sum) * order.reduce((a, u) => a + (u.labelCounts[l] ?? 0), 0),
      ),
    ]),
  );
  const have = new Map(targets.map((s) => [s, new Array<number>(nLabels).fill(0)]));
  const tie = new Map(order.map((u) => [u.id, rng.next()]));

  const place = (u: PatientUnit, label: number | null): void => {
    let best = targets[0];
    let bestKey: number[] = [];
    for (const s of targets) {
      const key =
        label === null
          ? [wantTotal.get(s) as number, rng.next()]
          : [
              (have.get(s) as number[])[label] === 0 ? 1 : 0,
              (wantLabel.get(s) as number[])[label],
              wantTotal.get(s) as number,
              rng.next(),
            ];
      if (bestKey.length === 0 || compareKeys(key, bestKey) > 0) {
        best = s;
        bestKey = key;
      }
    }
    result.set(u.id, best);
    wantTotal.set(best, (wantTotal.get(best) as number) - u.images);
    const wl = wantLabel.get(best) as number[];
    const hv = have.get(best) as number[];
    u.labelCounts.forEach((c, l) => {
      wl[l] = wl[l] - c;
      hv[l] = hv[l] + c;
    });
  };

  let remaining = order.filter((u) => u.labelCounts.some((c) => c > 0));
  while (remaining.length > 0) {
    // The label with the fewest remaining patients goes first.
    let label = -1;
    let fewest = Infinity;
    for (let l = 0; l < nLabels; l++) {
      const n = remaining.reduce((a, u) => a + ((u.labelCounts[l] ?? 0) > 0 ? 1 : 0), 0);
      if (n > 0 && n < fewest) {
        fewest = n;
        label = l;
      }
    }
    const group = remaining.filter((u) => (u.labelCounts[label] ?? 0) > 0);
    group.sort((a, b) => (tie.get(a.id) as number) - (tie.get(b.id) as number));
    for (const u of group) place(u, label);
    remaining = remaining.filter((u) => !result.has(u.id));
  }
  for (const u of order) if (!result.has(u.id)) place(u, null);
  return result;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    if (Math.abs(d) > 1e-9) return d;
  }
  return 0;
}
