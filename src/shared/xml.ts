/**
 * Escaping text for the SVG that sharp (librsvg) renders into PNGs (overlay captions, reliability diagrams).
 */

/** `text` with the five XML special characters replaced by entities. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}
