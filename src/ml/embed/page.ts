/**
 * The interactive embedding page `reports/embed/index.html`: one self-contained file (inline SVG, inline
 * script, thumbnails as data URLs) that opens from disk or a CI artefact with no server and no network.
 * A menu recolours the points (findings, each label, view, sex, age band); hovering a point shows the
 * radiograph, its labels, the model's probabilities and its metadata; clicking a legend entry highlights
 * that group. Without script the page still shows the default colouring and the legend.
 *
 * Owns: the HTML, CSS and script. Does not own: coordinates (plot.ts layout), colourings, thumbnails.
 */
import { UNKNOWN_COLOR, type Coloring } from './colorings.js';
import { circles, escapeXml as esc, PLOT_SIZE } from './plot.js';

/** One point as the page shows it. */
export interface PagePoint {
  id: string;
  patient: string;
  /** Position in the plot (plot.ts `layoutPoints`). */
  x: number;
  y: number;
  /** Base64 JPEG of the radiograph, or null (no thumbnails). */
  thumb: string | null;
  /** Probability per label (label-space order). */
  probs: number[];
  /** Extra lines for the hover card, e.g. `view: PA`. */
  details: string[];
}

/** A separation row: silhouette of one colouring in the feature space and in the 2-D map. */
export interface SeparationRow {
  title: string;
  features: number | null;
  projection: number | null;
}

export interface EmbedPage {
  /** One sentence saying what was embedded and how (rendered as text). */
  summary: string;
  labels: string[];
  points: PagePoint[];
  colorings: Coloring[];
  separation: SeparationRow[];
}

/** JSON safe inside a <script> element (no `</script>` or `<!--` can appear). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));

function legendHtml(c: Coloring): string {
  return c.classes
    .map((name, k) => {
      const count = c.values.filter((v) => v === k).length;
      return `<li data-k="${k}"><span class="dot" style="background:${c.colors[k]}"></span>${esc(name)} (${count})</li>`;
    })
    .join('');
}

// The page's script: recolour on menu change, hover card, legend highlight. Kept small and dependency-free.
const SCRIPT = `
const data = JSON.parse(document.getElementById('data').textContent);
const dots = Array.from(document.querySelectorAll('#plot circle'));
const menu = document.getElementById('colour');
const legend = document.getElementById('legend');
const card = document.getElementById('card');
let current = data.colorings[0];
let focus = -1;
const esc = (t) => String(t).replace(/[<>&"]/g, (c) => ({'<':'&lt;','>':'&gt;','&':'&amp;','"':'&quot;'})[c]);
function paint() {
  dots.forEach((d, i) => {
    const v = current.values[i];
    d.setAttribute('fill', v < 0 ? '${UNKNOWN_COLOR}' : current.colors[v]);
    d.setAttribute('fill-opacity', focus < 0 || v === focus ? '0.85' : '0.12');
  });
  legend.innerHTML = current.classes.map((name, k) => {
    const n = current.values.filter((v) => v === k).length;
    const cls = focus === k ? ' class="on"' : '';
    return '<li data-k="' + k + '"' + cls + '><span class="dot" style="background:' + current.colors[k] + '"></span>' + esc(name) + ' (' + n + ')</li>';
  }).join('');
}
menu.addEventListener('change', () => { current = data.colorings[menu.selectedIndex]; focus = -1; paint(); });
legend.addEventListener('click', (e) => {
  const li = e.target.closest('li');
  if (!li) return;
  const k = Number(li.dataset.k);
  focus = focus === k ? -1 : k;
  paint();
});
document.getElementById('plot').addEventListener('mousemove', (e) => {
  const i = e.target.dataset ? e.target.dataset.i : undefined;
  if (i === undefined) { card.hidden = true; return; }
  const p = data.points[Number(i)];
  const probs = data.labels.map((l, k) => esc(l) + ': ' + p.probs[k].toFixed(3)).join('<br>');
  card.innerHTML = (p.thumb ? '<img src="data:image/jpeg;base64,' + p.thumb + '" alt="">' : '') +
    '<div><b>' + esc(p.id) + '</b><br>patient ' + esc(p.patient) + '<br>' +
    data.colorings.filter((c) => !c.key.startsWith('label:'))
      .map((c) => esc(c.title) + ': ' + esc(c.values[i] < 0 ? 'unknown' : c.classes[c.values[i]])).join('<br>') +
    '<hr>model probability<br>' + probs + (p.details.length ? '<hr>' + p.details.map(esc).join('<br>') : '') + '</div>';
  card.hidden = false;
  const x = Math.min(e.clientX + 16, window.innerWidth - card.offsetWidth - 8);
  const y = Math.min(e.clientY + 16, window.innerHeight - card.offsetHeight - 8);
  card.style.left = x + 'px';
  card.style.top = y + 'px';
});
document.getElementById('plot').addEventListener('mouseleave', () => { card.hidden = true; });
`;

export function embedPageHtml(page: EmbedPage): string {
  const first = page.colorings[0];
  if (!first) throw new Error('embedPageHtml needs at least one colouring');
  const pos = page.points.map((p) => ({ x: p.x, y: p.y }));
  const options = page.colorings.map((c) => `<option>${esc(c.title)}</option>`).join('');
  const rows = page.separation
    .map((r) => `<tr><td>${esc(r.title)}</td><td>${fmt(r.features)}</td><td>${fmt(r.projection)}</td></tr>`)
    .join('\n');
  const data = {
    labels: page.labels,
    colorings: page.colorings.map((c) => ({
      key: c.key,
      title: c.title,
      classes: c.classes,
      colors: c.colors,
      values: c.values,
    })),
    points: page.points.map((p) => ({
      id: p.id,
      patient: p.patient,
      thumb: p.thumb,
      probs: p.probs,
      details: p.details,
    })),
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test-split embeddings (t-SNE)</title>
<style>
body{font-family:sans-serif;background:#111;color:#eee;margin:1.5em}h1{font-size:1.4em}
main{display:flex;gap:1.5em;align-items:flex-start;flex-wrap:wrap}aside{flex:1 1 300px;max-width:560px}
#plot{background:#181818;border:1px solid #333;width:${PLOT_SIZE}px;height:${PLOT_SIZE}px}
#plot circle{stroke:#000;stroke-width:.5;cursor:pointer}#plot circle:hover{stroke:#fff;stroke-width:2}
#legend{list-style:none;padding:0;margin:.5em 0}#legend li{cursor:pointer;padding:2px 4px}#legend li.on{background:#333}
.dot{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:6px;vertical-align:middle}
#card{position:fixed;background:#222;border:1px solid #555;padding:8px;display:flex;gap:8px;font-size:13px;pointer-events:none;max-width:420px}
#card[hidden]{display:none}#card img{width:128px;height:128px;image-rendering:pixelated}hr{border:0;border-top:1px solid #444}
table{border-collapse:collapse;margin-top:1em}td,th{border-bottom:1px solid #333;padding:3px 10px;text-align:right}td:first-child,th:first-child{text-align:left}
p.note{color:#aaa;font-size:90%}
</style></head>
<body><h1>Where the model puts the test images: t-SNE of its penultimate-layer embeddings</h1>
<p>${esc(page.summary)}</p>
<main><svg id="plot" viewBox="0 0 ${PLOT_SIZE} ${PLOT_SIZE}" role="img" aria-label="t-SNE scatter"><g fill-opacity="0.85">${circles(pos, first, true)}</g></svg>
<aside><label>Colour by <select id="colour">${options}</select></label>
<ul id="legend">${legendHtml(first)}</ul>
<p class="note">Hover a point for its radiograph and scores; click a legend entry to highlight that group.</p>
<table><thead><tr><th>grouping</th><th>silhouette, features</th><th>silhouette, map</th></tr></thead><tbody>
${rows}
</tbody></table>
<p class="note">Silhouette: +1 = the groups form tight, separate clusters, 0 = they overlap, &lt; 0 = mixed up. Features: Euclidean
distances between the embeddings themselves; map: between the 2-D points. t-SNE keeps neighbourhoods, not distances between
clusters, so read the map for which images the model considers alike, not for how far apart two clusters are.</p></aside></main>
<div id="card" hidden></div>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
