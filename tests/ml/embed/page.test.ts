// The embedding page and the static scatter: self-contained HTML whose embedded data round-trips and
// cannot break out of its <script>, and a PNG whose points land where the layout puts them.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Coloring } from '../../../src/ml/embed/colorings.js';
import { embedPageHtml, type EmbedPage } from '../../../src/ml/embed/page.js';
import { layoutPoints, PLOT_SIZE, scatterPng, scatterSvg } from '../../../src/ml/embed/plot.js';

const coloring = (key: string, classes: string[], values: number[]): Coloring => ({
  key,
  title: key,
  classes,
  colors: ['#ff0000', '#0000ff'].slice(0, classes.length),
  values,
});

function page(): EmbedPage {
  return {
    summary: '3 of the 3 test images <check escaping>',
    labels: ['Mass'],
    points: [
      { id: 'a.png', patient: '1', x: 10, y: 20, thumb: 'QUJD', probs: [0.9], details: [] },
      {
        id: '</script><script>alert(1)</script>',
        patient: '2',
        x: 30,
        y: 40,
        thumb: null,
        probs: [0.1],
        details: ['age 40'],
      },
      { id: 'c.png', patient: '3', x: 50, y: 60, thumb: 'REVG', probs: [0.5], details: [] },
    ],
    colorings: [coloring('Mass', ['Mass', 'negative'], [0, 1, -1]), coloring('view <PA>', ['PA'], [0, 0, 0])],
    separation: [{ title: 'Mass', features: 0.4567, projection: null }],
  };
}

describe('embedPageHtml', () => {
  const html = embedPageHtml(page());

  it('draws one circle per point, coloured by the first colouring (grey when unknown)', () => {
    const circles = [...html.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="4" data-i="(\d)" fill="([^"]+)"\/>/g)];
    expect(circles.map((m) => [m[1], m[2], m[3], m[4]])).toEqual([
      ['10', '20', '0', '#ff0000'],
      ['30', '40', '1', '#0000ff'],
      ['50', '60', '2', '#555555'],
    ]);
  });

  it('embeds the points as JSON that parses back and cannot close its <script> early', () => {
    expect(html.split('</script>')).toHaveLength(3); // the data block and the page script, nothing else
    const json = /<script type="application\/json" id="data">(.*?)<\/script>/s.exec(html)?.[1] as string;
    const data = JSON.parse(json);
    expect(data.points.map((p: { id: string }) => p.id)).toEqual(page().points.map((p) => p.id));
    expect(data.points[0].thumb).toBe('QUJD');
    expect(data.colorings[1].title).toBe('view <PA>');
  });

  it('escapes text, offers every colouring and shows the separation table', () => {
    expect(html).toContain('3 of the 3 test images &lt;check escaping&gt;');
    expect(html).toContain('<option>Mass</option><option>view &lt;PA&gt;</option>');
    expect(html).toContain('<tr><td>Mass</td><td>0.457</td><td>n/a</td></tr>');
    expect(html).toMatch(/<li data-k="0"><span class="dot" style="background:#ff0000"><\/span>Mass \(1\)<\/li>/);
  });

  it('is self-contained: nothing is loaded from elsewhere', () => {
    expect(html).not.toMatch(/(src|href)=["'](https?:)?\/\//i);
    expect(html).not.toMatch(/<link|@import|<script src/i);
  });
});

describe('scatter layout and PNG', () => {
  it('fits the points into the plot, keeping the aspect ratio and turning y up', () => {
    const pts = layoutPoints([0, 0, 10, 0, 0, 5], 3);
    expect(pts[0].x).toBeCloseTo(16, 1);
    expect(pts[1].x).toBeCloseTo(PLOT_SIZE - 16, 1);
    // y span is half the x span: same scale, so the points cover half the height, centred
    expect(pts[0].y - pts[2].y).toBeCloseTo((PLOT_SIZE - 32) / 2, 1);
    expect((pts[0].y + pts[2].y) / 2).toBeCloseTo(PLOT_SIZE / 2, 1);
  });

  it('rasterises the SVG with each point in its colour at its place', async () => {
    const pts = [
      { x: 100, y: 100 },
      { x: 400, y: 300 },
    ];
    const png = await scatterPng(scatterSvg(pts, coloring('c', ['red', 'blue'], [0, 1]), 'title'));
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([PLOT_SIZE + 220, PLOT_SIZE + 40]);
    const at = (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    // the plot is shifted 40 px down under the title; fill opacity 0.85 over the #111 background
    const [r1, g1, b1] = at(100, 140);
    expect(r1).toBeGreaterThan(200);
    expect(Math.max(g1, b1)).toBeLessThan(40);
    const [r2, g2, b2] = at(400, 340);
    expect(b2).toBeGreaterThan(200);
    expect(Math.max(r2, g2)).toBeLessThan(40);
    expect(at(250, 250)).toEqual([17, 17, 17]);
  });
});
