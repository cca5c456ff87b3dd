/**
 * im2col / col2im for NHWC convolutions, on plain Float32Arrays (pure, no tfjs).
 *
 * Owns: the patch layouts the GEMM-based conv gradients rely on. A patch column index is
 * `p = (kh * fw + kw) * C + c`, exactly the flattening of a `[fh, fw, C, O]` filter, and a row index is
 * `r = (n * oH + oy) * oW + ox`, exactly the flattening of a `[N, oH, oW, O]` output.
 */

/** Geometry of one 2-D convolution (NHWC, filter HWIO), as derived from tfjs `Conv2DInfo`. */
export interface ConvGeometry {
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * Writes the TRANSPOSED patch matrix `colsT[p, r]` (shape `[fh*fw*C, images*oH*oW]`) of `images` images
 * read from `x` (NHWC, starting at the first image of the chunk). Out-of-image taps are 0.
 */
export function im2colT(x: Float32Array, g: ConvGeometry, images: number, colsT: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: oH, outWidth: oW } = g;
  const rows = images * oH * oW;
  for (let kh = 0; kh < g.filterHeight; kh++) {
    for (let kw = 0; kw < g.filterWidth; kw++) {
      const pBase = (kh * g.filterWidth + kw) * C;
      const dx = kw * g.dilationWidth - g.padLeft;
      // Valid ox range: 0 <= ox*sw + dx < W.
      const oxLo = Math.max(0, Math.ceil(-dx / g.strideWidth));
      const oxHi = Math.min(oW, Math.ceil((W - dx) / g.strideWidth));
      for (let n = 0; n < images; n++) {
        for (let oy = 0; oy < oH; oy++) {
          const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
          const r0 = (n * oH + oy) * oW;
          if (iy < 0 || iy >= H || oxLo >= oxHi) {
            for (let c = 0; c < C; c++) colsT.fill(0, (pBase + c) * rows + r0, (pBase + c) * rows + r0 + oW);
            continue;
          }
          const rowIn = (n * H + iy) * W;
          const step = g.strideWidth * C;
          for (let c = 0; c < C; c++) {
            const d = (pBase + c) * rows + r0;
            for (let ox = 0; ox < oxLo; ox++) colsT[d + ox] = 0;
            let s = (rowIn + oxLo * g.strideWidth + dx) * C + c;
            for (let ox = oxLo; ox < oxHi; ox++, s += step) colsT[d + ox] = x[s]!;
            for (let ox = oxHi; ox < oW; ox++) colsT[d + ox] = 0;
          }
        }
      }
    }
  }
}

/**
 * Scatter-adds the patch matrix `cols[r, p]` (shape `[images*oH*oW, fh*fw*C]`) into `dx` (NHWC, starting
 * at the first image of the chunk; the caller zeroes it first).
 */
export function col2im(cols: Float32Array, g: ConvGeometry, images: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: oH, outWidth: oW } = g;
  const P = g.filterHeight * g.filterWidth * C;
  for (let n = 0; n < images; n++) {
    for (let oy = 0; oy < oH; oy++) {
      for (let ox = 0; ox < oW; ox++) {
        const r = (n * oH + oy) * oW + ox;
        for (let kh = 0; kh < g.filterHeight; kh++) {
          const iy = oy * g.strideHeight + kh * g.dilationHeight - g.padTop;
          if (iy < 0 || iy >= H) continue;
          for (let kw = 0; kw < g.filterWidth; kw++) {
            const ix = ox * g.strideWidth + kw * g.dilationWidth - g.padLeft;
            if (ix < 0 || ix >= W) continue;
            const src = r * P + (kh * g.filterWidth + kw) * C;
            const dst = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
}
