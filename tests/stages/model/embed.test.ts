// The embed stage in-process on a tiny fixture (16×16 images, a small conv net saved as the model):
// every output and its schema, byte-identical outputs across runs, the metadata colourings, the
// subsample, and one-paragraph errors for bad params.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../../src/ml/io/model-files.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { StageInputError } from '../../../src/stage-api/index.js';
import embed from '../../../stages/embed.js';
import { makeTestContext } from '../../helpers/stage-context.js';
import { declaredIn } from '../declared.js';
import { tinyModel, writeFixture } from './fixture-data.js';

const PARAMS = {
  runtime: { backend: 'wasm' },
  embed: { seed: 1, perplexity: 5, iterations: 300, max_points: 1000, thumbnail: 16 },
};
const OUTPUTS = [
  'reports/embed/index.html',
  'reports/embed/scatter.png',
  'reports/embed/points.csv',
  'metrics/embed.json',
];

let root: string;
const json = async (rel: string): Promise<Record<string, any>> =>
  JSON.parse(await readFile(path.join(root, rel), 'utf8'));
const run = async (params: Record<string, unknown> = PARAMS) => {
  const ctx = makeTestContext({ root, params, ...declaredIn('embed') });
  await embed.run(ctx);
  return ctx;
};

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'xpipe-embed-'));
  await writeFixture(path.join(root, 'data/preprocessed'), { size: 16, counts: { train: 4, val: 4, test: 20 } });
  await initRuntime({ backend: 'wasm' });
  await saveModel(tinyModel(16, 2), path.join(root, 'models/model'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('embed stage', () => {
  it('writes the page, the PNG, the coordinates and the separation metrics', async () => {
    const ctx = await run();
    const m = await json('metrics/embed.json');
    expect(m).toMatchObject({
      split: 'test',
      images: 20,
      points: 20,
      layer: expect.stringMatching(/^global_max_pooling2d/), // tfjs numbers auto-named layers
      dim: 8,
      method: 'exact t-SNE',
      perplexity: 5,
      iterations: 300,
      init: 'pca',
      seed: 1,
    });
    expect(Object.keys(m.separation)).toEqual(['findings', 'labels']);
    expect(Object.keys(m.separation.labels)).toEqual(['Mass', 'Effusion']);
    for (const s of [m.separation.findings, ...Object.values<any>(m.separation.labels)]) {
      expect(s.silhouette_features).toBeGreaterThanOrEqual(-1);
      expect(s.silhouette_map).toBeLessThanOrEqual(1);
    }
    const html = await readFile(path.join(root, 'reports/embed/index.html'), 'utf8');
    expect(html.match(/<circle /g)).toHaveLength(20);
    expect(html).toContain('<option>findings</option><option>Mass</option><option>Effusion</option>');
    expect(html).toContain('data:image/jpeg;base64,'); // in the page script; the thumbnails are in the data block
    const data = JSON.parse(/id="data">(.*?)<\/script>/s.exec(html)?.[1] as string);
    const thumb = await sharp(Buffer.from(data.points[0].thumb, 'base64')).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 16, 16]);
    const png = await sharp(path.join(root, 'reports/embed/scatter.png')).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 820, 640]);
    const csv = (await readFile(path.join(root, 'reports/embed/points.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('id,patient_id,x,y,findings,Mass,Effusion');
    expect(csv).toHaveLength(21);
    // test images follow the 8 train/val patients; image 1 shows a mass
    expect(csv[2]).toMatch(/^00000009_000\.png,9,-?\d+\.\d{4},-?\d+\.\d{4},Mass,Mass,negative$/);
    expect(ctx.messages.some((l) => /t-SNE: 300 steps/.test(l))).toBe(true);
  });

  it('is deterministic: a second run writes byte-identical outputs, for both starts', async () => {
    const read = () => Promise.all(OUTPUTS.map((f) => readFile(path.join(root, f))));
    for (const init of ['pca', 'random']) {
      const params = { ...PARAMS, embed: { ...PARAMS.embed, init } };
      await run(params);
      const first = await read();
      await run(params);
      const second = await read();
      OUTPUTS.forEach((f, i) => expect(second[i].equals(first[i]), `${init}: ${f}`).toBe(true));
    }
    // the seed matters where it is used (the random start), so the check above can fail
    const a = await readFile(path.join(root, 'reports/embed/points.csv'));
    await run({ ...PARAMS, embed: { ...PARAMS.embed, init: 'random', seed: 2 } });
    expect((await readFile(path.join(root, 'reports/embed/points.csv'))).equals(a)).toBe(false);
  });

  it('colours and scores by view, sex and age band when the split carries metadata', async () => {
    const file = path.join(root, 'data/preprocessed/test.json');
    const original = await readFile(file, 'utf8');
    const index = JSON.parse(original);
    const n = index.ids.length as number;
    index.meta = {
      view: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'AP' : 'PA')),
      sex: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'F' : i === 1 ? null : 'M')),
      age: Array.from({ length: n }, (_, i) => 30 + 3 * i),
    };
    await writeFile(file, JSON.stringify(index));
    try {
      await run();
      const m = await json('metrics/embed.json');
      expect(Object.keys(m.separation)).toEqual(['findings', 'view', 'sex', 'age', 'labels']);
      const html = await readFile(path.join(root, 'reports/embed/index.html'), 'utf8');
      expect(html).toContain('<option>view</option><option>sex</option><option>age band</option>');
      const csv = (await readFile(path.join(root, 'reports/embed/points.csv'), 'utf8')).trim().split('\n');
      expect(csv[0]).toBe('id,patient_id,x,y,findings,Mass,Effusion,view,sex,age band');
      expect(csv[2]).toMatch(/,PA,,<40$/); // image 1: PA, sex unknown, age 33
    } finally {
      await writeFile(file, original);
    }
  });

  it('plots a seeded sample when the split has more than max_points images', async () => {
    await run({ ...PARAMS, embed: { ...PARAMS.embed, max_points: 12 } });
    const m = await json('metrics/embed.json');
    expect([m.images, m.points]).toEqual([20, 12]);
    const html = await readFile(path.join(root, 'reports/embed/index.html'), 'utf8');
    expect(html).toContain('12 of the 20 test images (a seeded sample, embed.max_points = 12)');
    expect(html.match(/<circle /g)).toHaveLength(12);
  });

  it('rejects bad params and undeclared paths with one StageInputError naming the field', async () => {
    const bad = (embedParams: Record<string, unknown>) => run({ ...PARAMS, embed: embedParams });
    await expect(bad({ perplexity: '30' })).rejects.toThrow(StageInputError);
    await expect(bad({ perplexity: '30' })).rejects.toThrow("for embed.perplexity, got '30' (string)");
    await expect(bad({ max_points: 100000 })).rejects.toThrow(/integer between 10 and 5000 for embed.max_points/);
    await expect(bad({ perplexty: 30 })).rejects.toThrow(/unknown option embed.perplexty/);
    const undeclared = makeTestContext({
      root,
      params: PARAMS,
      ...declaredIn('embed'),
      outs: [],
    });
    await expect(embed.run(undeclared)).rejects.toThrow(/stage embed does not declare reports\/embed/);
    expect(existsSync(path.join(root, 'reports/embed/index.html'))).toBe(true);
  });
});
