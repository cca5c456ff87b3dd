/**
 * Hover thumbnails for the embedding page: one preprocessed radiograph as a small base64 JPEG.
 *
 * JPEG rather than PNG: the blurred, noisy radiographs barely compress losslessly (~5.5 KB per 64² PNG
 * against ~1 KB as JPEG at quality 80), and the page embeds one per point.
 *
 * Owns: encoding. Does not own: which images (job.ts).
 */
import sharp from 'sharp';

/** Base64 JPEG of the H×W grey image `pixels`, shrunk (cubic) so its longer edge is at most `edge`. */
export async function thumbnailBase64(
  pixels: Uint8Array,
  height: number,
  width: number,
  edge: number,
): Promise<string> {
  let img = sharp(Buffer.from(pixels), { raw: { width, height, channels: 1 } });
  if (Math.max(height, width) > edge) img = img.resize({ width: edge, height: edge, fit: 'inside', kernel: 'cubic' });
  const jpeg = await img.jpeg({ quality: 80 }).toBuffer();
  return jpeg.toString('base64');
}
