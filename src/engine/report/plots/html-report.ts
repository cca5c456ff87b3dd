/**
 * The self-contained HTML plots report (`reports/plots.html`): Vega inlined, specs inlined, images as
 * data URIs, so the file opens offline from anywhere.
 *
 * Owns: the page markup and the in-page script that renders every chart into SVG, records render
 * errors in `#xpipe-errors` and marks `<body data-rendered="N">` when done (tests read both).
 * Does not own: building the specs (collect-plots.ts) or compiling Vega-Lite to Vega (the caller
 * passes compiled Vega specs so the page needs only the Vega runtime).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ReportItem } from './collect-plots.js';

/** A report item whose chart spec has already been compiled to Vega. */
export type CompiledItem =
  (Extract<ReportItem, { kind: 'chart' }> & { vega: unknown }) | Extract<ReportItem, { kind: 'image' }>;

export interface HtmlReportInput {
  title: string;
  /** Labels of the compared sources, e.g. `workspace`, `HEAD (1a2b3c4)`. */
  sources: string[];
  items: CompiledItem[];
  problems: string[];
  /** ISO time shown in the header. */
  generatedAt: string;
  /** Tables shown above the charts (e.g. the compared experiments' params and metrics), cells as text. */
  tables?: Array<{ title: string; header: string[]; rows: string[][] }>;
}

/** The minified Vega UMD build from node_modules (found through its exported schema file). */
export function vegaRuntimeSource(): string {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('vega/vega-schema.json'));
  return readFileSync(path.join(dir, 'vega.min.js'), 'utf8');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** The whole page as a string. */
export function renderHtmlReport(input: HtmlReportInput, vegaSource = vegaRuntimeSource()): string {
  const specs: Record<string, unknown> = {};
  const sections = input.items.map((item) => {
    if (item.kind === 'chart') {
      specs[item.id] = item.vega;
      return `<section><h2 id="h-${esc(item.id)}">${esc(item.title)} <small>${esc(item.path)}</small></h2><div class="chart" id="${esc(item.id)}"></div></section>`;
    }
    const figures = item.images
      .map(
        (img) =>
          `<figure><img alt="${esc(item.path)} at ${esc(img.rev)}" src="data:${img.mime};base64,${img.data.toString('base64')}"><figcaption>${esc(img.rev)}</figcaption></figure>`,
      )
      .join('');
    return `<section><h2 id="h-${esc(item.id)}">${esc(item.path)}</h2><div class="images">${figures}</div></section>`;
  });
  const toc = input.items
    .map(
      (i) =>
        `<li><a href="#h-${esc(i.id)}">${esc(i.kind === 'chart' ? i.title : i.path)}</a> <small>${esc(i.path)}</small></li>`,
    )
    .join('');
  const tables = (input.tables ?? [])
    .map(
      (t) =>
        `<section class="table"><h2>${esc(t.title)}</h2><table><thead><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></section>`,
    )
    .join('\n');
  const problems = input.problems.length
    ? `<div class="problems"><strong>Not shown:</strong><ul>${input.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul></div>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #eee;padding-bottom:4px}
h2 small,li small{color:#888;font-weight:normal}main{display:flex;flex-wrap:wrap;column-gap:40px;align-items:flex-start}
main>section{max-width:100%}table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #eee;padding:3px 10px;text-align:left}
td{font-variant-numeric:tabular-nums}section.table{overflow-x:auto}.meta{color:#666}.chart{overflow-x:auto}
.images{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figure img{max-width:560px;image-rendering:pixelated;border:1px solid #ddd}
.problems{background:#fff8e1;border:1px solid #f0d98c;padding:8px 12px;margin:12px 0}#xpipe-errors:empty{display:none}
#xpipe-errors{background:#fdecea;border:1px solid #f5c2c0;padding:8px;white-space:pre-wrap}ul.toc{columns:2}
</style></head>
<body data-rendered="0" data-charts="${Object.keys(specs).length}">
<h1>${esc(input.title)}</h1>
<div class="meta">Sources: ${input.sources.map(esc).join(' vs ')} · generated ${esc(input.generatedAt)} by xpipe · hover for values, drag or scroll to pan and zoom line charts</div>
${problems}<pre id="xpipe-errors"></pre>
${tables}
<ul class="toc">${toc}</ul>
<main>
${sections.join('\n')}
</main>
<script>${vegaSource.replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="xpipe-specs">${scriptJson(specs)}</script>
<script>
(function () {
  var errors = document.getElementById('xpipe-errors');
  function report(msg) { errors.textContent += msg + '\\n'; }
  window.addEventListener('error', function (e) { report('error: ' + e.message); });
  var specs = JSON.parse(document.getElementById('xpipe-specs').textContent);
  var ids = Object.keys(specs), done = 0;
  ids.forEach(function (id) {
    try {
      new vega.View(vega.parse(specs[id]), { renderer: 'svg', container: '#' + id, hover: true, logLevel: vega.Warn })
        .runAsync()
        .then(function () { done++; document.body.setAttribute('data-rendered', String(done)); })
        .catch(function (e) { report(id + ': ' + e.message); });
    } catch (e) { report(id + ': ' + e.message); }
  });
})();
</script>
</body></html>
`;
}
