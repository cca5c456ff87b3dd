// Plots: file shapes → templates, and the HTML report rendering every chart in headless Chromium.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDelimited } from '../../src/engine/report/plots/plot-data.js';
import { resolvePlot } from '../../src/engine/report/plots/infer-plot.js';
import { findMetricTables } from '../../src/engine/report/plots/metric-plots.js';
import { buildPlotsReport, type BuiltReport } from '../../src/engine/report/plots/build-report.js';
import { writeChartPng } from '../../src/cli/render/plots-png.js';
import { FIXTURE_METRICS, FIXTURE_PLOTS, writePlotFixtures } from './plot-fixtures.js';
import { findChromium, runChromium } from './chromium.js';

describe('plot inference', () => {
  const t = (csv: string) => parseDelimited(csv, ',');

  it('parses quoted CSV and numeric columns', () => {
    const table = t('name,v\n"a, b",1\n"say ""hi""",2.5\n');
    expect(table.rows).toEqual([
      { name: 'a, b', v: 1 },
      { name: 'say "hi"', v: 2.5 },
    ]);
  });

  it('chooses templates from the file shape', () => {
    const roc = resolvePlot({ path: 'roc.csv', props: {} }, t('label,fpr,tpr,threshold\na,0,0,1\n'));
    expect([roc.template, roc.x, roc.ys, roc.group]).toEqual(['linear', 'fpr', ['tpr'], 'label']);
    const cm = resolvePlot({ path: 'c.csv', props: {} }, t('label,actual,predicted,count\na,0,1,3\n'));
    expect([cm.template, cm.x, cm.ys, cm.count]).toEqual(['confusion', 'predicted', ['actual'], 'count']);
    const hist = resolvePlot({ path: 'h.csv', props: {} }, t('epoch,loss,val_auc\n1,0.5,0.7\n'));
    expect([hist.x, hist.ys, hist.facetYs]).toEqual(['epoch', ['loss', 'val_auc'], true]);
  });

  it('lets declared props win over the defaults', () => {
    const p = resolvePlot(
      { path: 'h.csv', props: { x: 'epoch', y: ['loss', 'val_loss'], template: 'scatter', title: 'Loss' } },
      t('epoch,loss,val_loss\n1,2,3\n'),
    );
    expect([p.template, p.ys, p.facetYs, p.title]).toEqual(['scatter', ['loss', 'val_loss'], false, 'Loss']);
  });

  it('splits confusion matrices by every text column (label x threshold)', () => {
    const cm = resolvePlot(
      { path: 'c.csv', props: {} },
      t('label,at,actual,predicted,count\na,0.5,1,1,3\na,tuned,1,1,2\n'),
    );
    expect(cm.groups).toEqual(['label', 'at']);
  });

  it('reads inf thresholds as numbers', () => {
    expect(t('fpr,threshold\n0,inf\n1,0.5\n').rows[0]).toEqual({ fpr: 0, threshold: Infinity });
  });

  it('does not chart a map of different quantities (best: {loss, val_auc})', () => {
    expect(
      findMetricTables({ best: { loss: 1, val_auc: 0.5 }, auc_per_label: { a: 1, b: 2 } }).map((x) => x.key),
    ).toEqual(['auc_per_label']);
  });

  it('finds per-item maps in metrics but not a top-level map of different quantities', () => {
    const tables = findMetricTables({
      loss: 1,
      acc: 2,
      auc: { a: 0.5, b: 0.6 },
      per_label: { a: { auc: 1, ap: 2, name: 'x' }, b: { auc: 3, ap: 4, name: 'y' } },
    });
    expect(tables.map((x) => x.key)).toEqual(['auc', 'per_label.*.auc', 'per_label.*.ap']);
  });
});

describe('plots report', () => {
  let root: string;
  let report: BuiltReport;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'xpipe-plots-'));
    writePlotFixtures(root);
    report = await buildPlotsReport({
      root,
      out: 'reports/plots.html',
      sources: [{ kind: 'workspace' }],
      plots: FIXTURE_PLOTS.map((p) => ({ path: p, props: {} })),
      metrics: FIXTURE_METRICS,
    });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes one self-contained file with every chart and no network reference', () => {
    const html = readFileSync(report.file, 'utf8');
    expect(report.problems).toEqual([]);
    expect(report.items.map((i) => i.id)).toEqual([
      'plots-train_history-csv',
      'plots-roc-csv',
      'plots-pr-csv',
      'plots-confusion-csv',
      'metrics-eval-json-per_label-each-auc',
      'metrics-eval-json-per_label-each-ap',
      'metrics-eval-json-per_label-each-threshold',
    ]);
    expect(html).toContain('data-charts="7"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!vega\.github\.io\/schema|www\.w3\.org)/);
  });

  it('renders a chart to PNG', async () => {
    const chart = report.items.find((i) => i.kind === 'chart' && i.id === 'plots-roc-csv');
    const file = await writeChartPng(path.join(root, 'png'), 'roc', (chart as { vega: Record<string, unknown> }).vega);
    const { default: sharp } = await import('sharp');
    const meta = await sharp(file).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(400);
  });

  const chromium = findChromium();
  const browserTest = chromium
    ? 'opens in headless Chromium without errors and draws every chart'
    : 'opens in headless Chromium (SKIPPED: chromium is not installed; `apt-get install -y chromium`, as .ci/run does)';
  it.skipIf(!chromium)(browserTest, async () => {
    const url = `file://${report.file}`;
    const { stdout, stderr } = runChromium(chromium!, url, { dumpDom: true });
    expect(stdout).toMatch(/<body[^>]*data-rendered="7"/);
    expect(stdout).toMatch(/<pre id="xpipe-errors"><\/pre>/);
    expect((stdout.match(/<svg[^>]*class="marks"/g) ?? []).length).toBe(7);
    expect(stderr).not.toMatch(/Uncaught|CONSOLE.*(error|Error)/);
    const shot = path.join(root, 'shot.png');
    runChromium(chromium!, url, { screenshot: shot });
    const { default: sharp } = await import('sharp');
    const stats = await sharp(shot).stats();
    // A blank page would be uniform white; charts put dark and coloured pixels on it.
    expect(stats.channels[0].min).toBeLessThan(100);
    expect(stats.channels[2].stdev).toBeGreaterThan(10);
  });
});

describe('metrics arrays keyed by label', () => {
  it('flattens and charts arrays of labelled items by their label', async () => {
    const { flatten } = await import('../../src/engine/report/flatten.js');
    const data = {
      labels: [
        { label: 'Effusion', auc: 0.8, positives: 3 },
        { label: 'Nodule', auc: null, positives: 0 },
      ],
    };
    expect([...flatten(data).keys()]).toEqual([
      'labels.Effusion.auc',
      'labels.Effusion.positives',
      'labels.Nodule.auc',
      'labels.Nodule.positives',
    ]);
    const tables = findMetricTables(data);
    expect(tables.map((t) => [t.key, t.itemName, t.table.rows.length])).toEqual([
      ['labels.*.auc', 'label', 1],
      ['labels.*.positives', 'label', 2],
    ]);
  });
});

describe('image plots', () => {
  it('embeds an image plot per source, once when it is the same everywhere', async () => {
    const { collectReport } = await import('../../src/engine/report/plots/collect-plots.js');
    const { default: sharp } = await import('sharp');
    const root = mkdtempSync(path.join(os.tmpdir(), 'xpipe-img-'));
    const png = (v: number) =>
      sharp({ create: { width: 4, height: 4, channels: 3, background: { r: v, g: v, b: v } } })
        .png()
        .toBuffer();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    for (const [dir, v] of [
      ['a', 10],
      ['b', 10],
      ['c', 200],
    ] as const) {
      mkdirSync(path.join(root, dir, 'reports'), { recursive: true });
      writeFileSync(path.join(root, dir, 'reports/sheet.png'), await png(v));
    }
    const src = (d: string) => ({ kind: 'dir' as const, label: `exp ${d}`, dir: path.join(root, d) });
    const plots = [{ path: 'reports/sheet.png', props: {} }];
    const same = await collectReport({ root, sources: [src('a'), src('b')], plots, metrics: [] });
    const differ = await collectReport({ root, sources: [src('a'), src('c')], plots, metrics: [] });
    rmSync(root, { recursive: true, force: true });
    expect(same.items.map((i) => i.kind === 'image' && i.images.map((x) => x.rev))).toEqual([['same in exp a, exp b']]);
    expect(differ.items.map((i) => i.kind === 'image' && i.images.map((x) => x.rev))).toEqual([['exp a', 'exp c']]);
  });
});
