/**
 * Vega-Lite → Vega compilation and headless SVG rendering, for the HTML report and `--png`.
 *
 * Owns: the lazy imports of vega-lite and vega (heavy; only `plots` commands load them).
 * Does not own: rasterising SVG to PNG (cli/render/plots-png.ts uses sharp, which the engine never imports).
 */
import type { VegaLiteSpec } from './templates.js';

/** Compiles a Vega-Lite spec to a Vega spec (plain JSON). */
export async function compileToVega(spec: VegaLiteSpec): Promise<Record<string, unknown>> {
  const vl = await import('vega-lite');
  // The spec is built by templates.ts as plain JSON; vega-lite validates its shape as it compiles.
  return vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec as unknown as Record<string, unknown>;
}

/** Renders a compiled Vega spec to an SVG string without a browser. */
export async function renderSvg(vegaSpec: Record<string, unknown>): Promise<string> {
  const vega = await import('vega');
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
