// Synthetic dataset: deterministic bytes for a seed, the NIH CSV format, masks, findings inside the lungs.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateSynthetic, NIH_HEADER, parseSynthParams } from '../../../src/ml/data/synth/generate.js';
import { lungMargin, sampleAnatomy } from '../../../src/ml/data/synth/anatomy.js';
import { DEFAULT_PREVALENCE, drawFinding, planFindings } from '../../../src/ml/data/synth/findings.js';
import { renderBase } from '../../../src/ml/data/synth/render.js';
import { Sfc32 } from '../../../src/shared/rng.js';
import { tempDir } from './fixtures.js';

async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const sub of ['images', 'masks'])
    for (const f of await readdir(path.join(dir, sub))) out.set(`${sub}/${f}`, await readFile(path.join(dir, sub, f)));
  out.set('csv', await readFile(path.join(dir, 'Data_Entry_2017.csv')));
  return out;
}

describe('synthetic dataset', () => {
  it('is byte-identical for a seed whatever the threading, and differs for another seed', async () => {
    await using t = await tempDir();
    const opts = parseSynthParams({ seed: 5, patients: 8, size: 64 });
    await generateSynthetic(path.join(t.dir, 'a'), opts, { threads: 2 });
    await generateSynthetic(path.join(t.dir, 'b'), opts, { threads: 1 });
    await generateSynthetic(path.join(t.dir, 'c'), { ...opts, seed: 6 }, { threads: 1 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((d) => snapshot(path.join(t.dir, d))));
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) expect(v.equals(b.get(k) as Buffer), k).toBe(true);
    expect(a.get('csv')?.equals(c.get('csv') as Buffer)).toBe(false);
  });

  it('writes the real NIH header, one row per image, labels joined by | and No Finding', async () => {
    await using t = await tempDir();
    const result = await generateSynthetic(
      t.dir,
      parseSynthParams({ seed: 1, patients: 30, size: 32, prevalence: { Effusion: 1, Nodule: 0.5 } }),
      { threads: 1 },
    );
    const lines = (await readFile(path.join(t.dir, 'Data_Entry_2017.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(NIH_HEADER);
    expect(lines.length - 1).toBe(result.images);
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const r of rows) {
      expect(r).toHaveLength(11);
      expect(r[0]).toMatch(/^\d{8}_\d{3}\.png$/);
      expect(r[0]?.startsWith(String(r[3]).padStart(8, '0'))).toBe(true);
      expect(r[1]).toMatch(/^(No Finding|[A-Za-z]+(\|[A-Za-z]+)*)$/);
    }
    expect(rows.some((r) => r[1]?.includes('Effusion|'))).toBe(true);
    const images = await readdir(path.join(t.dir, 'images'));
    expect(images.length).toBe(result.images);
    const meta = await sharp(path.join(t.dir, 'images', images[0])).metadata();
    expect([meta.width, meta.height, meta.channels, meta.depth]).toEqual([32, 32, 1, 'uchar']);
    expect(await readdir(path.join(t.dir, 'masks'))).toEqual(images);
  });

  it('places nodules, masses and consolidations inside the lung fields, and draws them there', () => {
    const prevalence = { ...DEFAULT_PREVALENCE, Nodule: 1, Mass: 1, Consolidation: 1, Cardiomegaly: 0 };
    for (let p = 1; p <= 20; p++) {
      const rng = new Sfc32(p);
      const anatomy = sampleAnatomy(rng, false);
      const [plan] = planFindings(rng, anatomy, prevalence, 1, false);
      const base = renderBase(anatomy, 96, rng);
      for (const f of plan?.findings ?? []) {
        if (f.kind === 'Nodule' || f.kind === 'Mass') expect(lungMargin(anatomy, f.x, f.y)).toBeGreaterThan(f.r);
        const att = base.att.slice();
        drawFinding(f, anatomy, base, att, new Float32Array(att.length).fill(1));
        let inLung = 0;
        let outLung = 0;
        att.forEach((v, i) => {
          if (Math.abs(v - base.att[i]) > 0.02) {
            if (base.lung[i] > 0.1) inLung++;
            else outLung++;
          }
        });
        expect(inLung, `${f.kind} of patient ${p}`).toBeGreaterThan(3);
        expect(outLung, `${f.kind} of patient ${p}`).toBeLessThanOrEqual(inLung * 0.1);
      }
    }
  });

  it('validates params with one wording', () => {
    expect(() => parseSynthParams({ patients: '10' })).toThrow(
      "expected positive integer for synth.patients, got '10' (string)",
    );
    expect(() => parseSynthParams({ prevalence: { Nodule: 2 } })).toThrow(
      "expected number in [0, 1] for synth.prevalence.Nodule, got '2' (number)",
    );
    expect(() => parseSynthParams({ prevalence: { Atelectasis: 0.1 } })).toThrow(/synth.prevalence.Atelectasis/);
  });
});
