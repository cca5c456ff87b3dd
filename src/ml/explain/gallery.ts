/**
 * The explain gallery `reports/explain/index.html`: one section per label with its lung-attribution
 * shares and the overlay of every explained image, grouped by case type. Self-contained (no scripts,
 * relative image links) so a clinician can open it from disk.
 *
 * Owns: the HTML. Does not own: the numbers or the images.
 */

export interface GalleryImage {
  file: string;
  id: string;
  kind: string;
  probability: number;
  threshold: number;
  shares: Record<string, number | null>;
}

export interface GallerySection {
  label: string;
  threshold: number;
  shares: Record<string, number | null>;
  images: GalleryImage[];
}

const esc = (t: string): string =>
  t.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
const pct = (v: number | null): string => (v === null ? 'n/a' : `${(100 * v).toFixed(0)}%`);

export function galleryHtml(
  sections: GallerySection[],
  meta: { maskSource: string; lungArea: number; layer: string; steps: number },
): string {
  const kinds = ['true_positive', 'false_positive', 'false_negative'];
  const body = sections
    .map((s) => {
      const groups = kinds
        .map((kind) => {
          const imgs = s.images.filter((i) => i.kind === kind);
          if (imgs.length === 0) return `<h3>${kind.replace('_', ' ')}s</h3><p class="none">none in the test split</p>`;
          const figures = imgs
            .map(
              (i) =>
                `<figure><img src="${esc(i.file)}" alt="${esc(`${s.label} ${kind} ${i.id}`)}" loading="lazy">` +
                `<figcaption>${esc(i.id)}: p=${i.probability.toFixed(3)} (threshold ${i.threshold.toFixed(3)}); ` +
                `in lungs: Grad-CAM ${pct(i.shares.grad_cam ?? null)}, IG ${pct(i.shares.integrated_gradients ?? null)}</figcaption></figure>`,
            )
            .join('\n');
          return `<h3>${kind.replace('_', ' ')}s</h3>\n${figures}`;
        })
        .join('\n');
      return (
        `<section><h2>${esc(s.label)}</h2><p>Decision threshold ${s.threshold.toFixed(3)}. Share of positive attribution ` +
        `inside the lung fields: Grad-CAM ${pct(s.shares.grad_cam ?? null)}, Integrated Gradients ${pct(s.shares.integrated_gradients ?? null)}.</p>\n${groups}</section>`
      );
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Model explanations</title>
<style>body{font-family:sans-serif;background:#111;color:#eee;margin:2em}figure{display:inline-block;margin:0 1em 1em 0;max-width:600px}
img{max-width:100%;image-rendering:pixelated}figcaption{font-size:90%;color:#bbb}.none{color:#888}h2{border-bottom:1px solid #444}</style></head>
<body><h1>Why the model decided: Grad-CAM and Integrated Gradients on the test split</h1>
<p>Each image shows the radiograph, Grad-CAM on layer <code>${esc(meta.layer)}</code> and Integrated Gradients (black baseline, ${meta.steps} steps);
warm colours mark evidence for the label. Lung masks: ${esc(meta.maskSource)}; the lungs cover ${pct(meta.lungArea)} of the image,
so a share near that value means attribution spread with no preference for the lungs, and a lower share suggests shortcuts outside them.</p>
${body}
</body></html>
`;
}
