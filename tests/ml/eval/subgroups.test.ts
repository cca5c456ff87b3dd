// Subgroup AUCs: grouping rules (views, sexes, age-band edges, unknowns), bootstrap CIs, the flag against
// the whole-split AUC, small subgroups, and the table files.
import { describe, expect, it } from 'vitest';
import type { ImageMeta } from '../../../src/ml/data/preprocessed-format.js';
import { subgroupCsv, subgroupMarkdown, subgroupSection } from '../../../src/ml/eval/subgroup-table.js';
import { ageBandNames, formSubgroups, subgroupAucs } from '../../../src/ml/eval/subgroups.js';
import { Mulberry32 } from '../../../src/shared/rng.js';

const OPTIONS = { bootstrap: 300, seed: 5, ageBands: [40, 60], minCases: 5 };

describe('formSubgroups', () => {
  it('groups AP variants as AP, keeps PA first, skips unknowns, and cuts ages at the band edges', () => {
    const meta: ImageMeta = {
      view: ['AP SUPINE', 'PA', 'ap', null, 'L', 'PA'],
      sex: ['M', 'F', null, 'M', 'F', 'F'],
      age: [39.9, 40, 59.99, 60, null, 85],
    };
    const groups = formSubgroups(meta, [40, 60]).map((g) => [`${g.attribute}=${g.name}`, g.indices]);
    expect(groups).toEqual([
      ['view=PA', [1, 5]],
      ['view=AP', [0, 2]],
      ['view=L', [4]],
      ['sex=F', [1, 4, 5]],
      ['sex=M', [0, 3]],
      ['age=<40', [0]],
      ['age=40-<60', [1, 2]],
      ['age=>=60', [3, 5]],
    ]);
    expect(ageBandNames([50])).toEqual(['<50', '>=50']);
  });

  it('forms only the attributes the metadata has', () => {
    expect(formSubgroups({ sex: ['F', 'M'] }, [40]).map((g) => g.attribute)).toEqual(['sex', 'sex']);
    expect(formSubgroups({}, [40])).toEqual([]);
  });
});

/** 400 images, 2 labels: PA (even rows) scores well, AP (odd rows) at random; sex alternates in pairs. */
function dataset() {
  const rng = new Mulberry32(9);
  const n = 400;
  const probs = new Float32Array(n * 2);
  const truth = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < 2; l++) {
      const y = rng.next() < 0.4 ? 1 : 0;
      truth[i * 2 + l] = y;
      probs[i * 2 + l] = i % 2 === 0 ? 0.3 * y + 0.7 * rng.next() : rng.next();
    }
  }
  const meta: ImageMeta = {
    view: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'PA' : 'AP')),
    sex: Array.from({ length: n }, (_, i) => (Math.floor(i / 2) % 2 === 0 ? 'F' : 'M')),
    // the oldest band holds 8 images: too few positives and negatives for an AUC
    age: Array.from({ length: n }, (_, i) => (i < 8 ? 70 : 30)),
  };
  return { probs, truth, meta };
}

describe('subgroupAucs', () => {
  const { probs, truth, meta } = dataset();
  const groups = subgroupAucs(['Mass', 'Effusion'], probs, truth, meta, OPTIONS);
  const byId = Object.fromEntries(groups.map((g) => [g.id, g]));

  it('reports n and positives per subgroup and label', () => {
    expect(groups.map((g) => [g.id, g.n])).toEqual([
      ['view=PA', 200],
      ['view=AP', 200],
      ['sex=F', 200],
      ['sex=M', 200],
      ['age=<40', 392],
      ['age=>=60', 8],
    ]);
    const pa = byId['view=PA'].labels[0];
    let positives = 0;
    for (let i = 0; i < 400; i += 2) positives += truth[i * 2];
    expect(pa.positives).toBe(positives);
    expect(pa.negatives).toBe(200 - positives);
  });

  it('flags a subgroup whose CI excludes the overall AUC, in both directions, and not a representative one', () => {
    const pa = byId['view=PA'];
    const ap = byId['view=AP'];
    expect(pa.labels[0].auc_ci95[0]!).toBeGreaterThan(pa.labels[0].overall_auc!);
    expect(pa.labels[0].ci_excludes_overall).toBe(true);
    expect(ap.labels[0].auc_ci95[1]!).toBeLessThan(ap.labels[0].overall_auc!);
    expect(ap.labels[0].ci_excludes_overall).toBe(true);
    expect(ap.macro.ci_excludes_overall).toBe(true);
    for (const id of ['sex=F', 'sex=M']) {
      const g = byId[id];
      for (const r of [g.macro, ...g.labels]) {
        expect(r.auc_ci95[0]!).toBeLessThanOrEqual(r.overall_auc!);
        expect(r.auc_ci95[1]!).toBeGreaterThanOrEqual(r.overall_auc!);
        expect(r.ci_excludes_overall).toBe(false);
      }
    }
  });

  it('each CI brackets its point AUC and is reproducible for a seed', () => {
    for (const g of groups) {
      for (const r of [g.macro, ...g.labels]) {
        if (r.auc === null) continue;
        expect(r.auc_ci95[0]!).toBeLessThanOrEqual(r.auc);
        expect(r.auc_ci95[1]!).toBeGreaterThanOrEqual(r.auc);
      }
    }
    expect(subgroupAucs(['Mass', 'Effusion'], probs, truth, meta, OPTIONS)).toEqual(groups);
  });

  it('reports a subgroup with too few positives as such instead of an AUC', () => {
    const old = byId['age=>=60'];
    for (const r of old.labels) {
      expect(r.auc).toBeNull();
      expect(r.auc_ci95).toEqual([null, null]);
      expect(r.ci_excludes_overall).toBeNull();
      expect(r.undefined?.auc).toMatch(
        /^too few cases for an AUC: \d positives, \d negatives \(at least 5 of each needed\)$/,
      );
    }
    expect(old.macro.auc).toBeNull();
    expect(old.macro.undefined?.auc).toMatch(/no label has at least 5 positives/);
    // one positive is enough for no AUC and no crash
    const one = subgroupAucs(
      ['x'],
      Float32Array.from([0.2, 0.9]),
      Float32Array.from([0, 1]),
      { sex: ['F', 'F'] },
      OPTIONS,
    );
    expect(one[0].labels[0].auc).toBeNull();
  });

  it('does not flag a zero-width CI (a subgroup separated perfectly in every resample)', () => {
    // F: perfect separation; M: random, so the overall AUC is below 1
    const n = 40;
    const probs = Float32Array.from({ length: n }, (_, i) => (i < 20 ? (i % 2) * 0.5 + 0.1 : ((i * 7) % 13) / 13));
    const truth = Float32Array.from({ length: n }, (_, i) => i % 2);
    const sex = Array.from({ length: n }, (_, i) => (i < 20 ? 'F' : 'M'));
    const [female] = subgroupAucs(['x'], probs, truth, { sex }, OPTIONS);
    expect(female.labels[0]).toMatchObject({ auc: 1, auc_ci95: [1, 1], ci_excludes_overall: null });
    expect(female.labels[0].overall_auc!).toBeLessThan(1);
  });

  it('writes the JSON section, a CSV and a markdown table with the flagged rows marked', () => {
    const section = subgroupSection(groups, OPTIONS);
    expect(section['flagged']).toEqual(expect.arrayContaining(['view=PA Mass', 'view=AP macro']));
    expect(section['age_bands']).toEqual(['<40', '40-<60', '>=60']);
    const csv = subgroupCsv(groups).trim().split('\n');
    expect(csv[0]).toBe('attribute,group,label,n,positives,negatives,auc,auc_low,auc_high,overall_auc,flag,note');
    expect(csv).toHaveLength(1 + groups.length * 3);
    expect(csv.find((r) => r.startsWith('view,PA,Mass,'))).toMatch(/,0\.\d{3},0\.\d{3},0\.\d{3},0\.\d{3},yes,$/);
    expect(csv.find((r) => r.startsWith('age,>=60,Mass,'))).toMatch(/,,,,0\.\d+,,"too few cases/);
    const md = subgroupMarkdown(groups, { ...OPTIONS, bootstrap: 300 });
    expect(md).toMatch(/\| view=PA \| Mass \| 200 \| \d+ \| 0\.\d{3} \| 0\.\d{3}–0\.\d{3} \| 0\.\d{3} \| ⚑ \|/);
    expect(md).toMatch(/\| age=>=60 \| Mass \| 8 \| \d \| n\/a \(too few cases/);
    const none = subgroupSection(null, OPTIONS);
    expect(none).toMatchObject({ groups: [], note: 'the test split has no view, sex or age metadata' });
    expect(subgroupCsv(null).trim().split('\n')).toHaveLength(1);
    expect(subgroupMarkdown(null, OPTIONS)).toMatch(/no view, sex or age metadata/);
  });
});
