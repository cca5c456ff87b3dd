/**
 * Pixel operations of the preprocessing, on 8-bit single-channel row-major arrays, written to give the
 * same numbers as OpenCV so results can be checked against `cv2`:
 * - `resizeArea`: `cv2.INTER_AREA` for shrinking (area-weighted average); enlarging uses bilinear with
 *   half-pixel centres, as OpenCV's INTER_AREA does when the scale is above 1.
 * - `equalizeHist`: bit-for-bit `cv2.equalizeHist` (float32 scale, round half to even).
 * - `gaussianBlur` (in blur.ts, re-exported here): `cv2.GaussianBlur` with BORDER_REFLECT_101; sigma 0
 *   uses OpenCV's rule 0.3*((k-1)*0.5-1)+0.8, except that for k <= 7 OpenCV (and so this code) uses its
 *   fixed binomial tables (k=5: [1 4 6 4 1]/16), applied in exact integer arithmetic with half-up rounding.
 * - `clahe`: contrast-limited adaptive equalisation (8×8 tiles, clip limit 2.0, bilinear blend of tile LUTs).
 *
 * Owns: the arithmetic. Does not own: decoding, files or caching.
 */

export { gaussianBlur, gaussianKernel, reflect101 } from './blur.js';

export interface Gray {
  data: Uint8Array;
  width: number;
  height: number;
}

/** OpenCV's cvRound: round half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per output index along one axis: source indices and their area weights. */
function areaWeights(src: number, dst: number): { idx: Int32Array; w: Float64Array; start: Int32Array } {
  const scale = src / dst;
  const idx: number[] = [];
  const w: number[] = [];
  const start = new Int32Array(dst + 1);
  for (let o = 0; o < dst; o++) {
    start[o] = idx.length;
    if (scale >= 1) {
      const a = o * scale;
      const b = a + scale;
      for (let s = Math.floor(a); s < Math.min(src, Math.ceil(b)); s++) {
        const overlap = Math.min(b, s + 1) - Math.max(a, s);
        if (overlap > 1e-9) {
          idx.push(s);
          w.push(overlap / scale);
        }
      }
    } else {
      const c = Math.min(src - 1, Math.max(0, (o + 0.5) * scale - 0.5));
      const s0 = Math.floor(c);
      const f = c - s0;
      idx.push(s0);
      w.push(1 - f);
      if (f > 0 && s0 + 1 < src) {
        idx.push(s0 + 1);
        w.push(f);
      }
    }
  }
  start[dst] = idx.length;
  return { idx: Int32Array.from(idx), w: Float64Array.from(w), start };
}

/**
 * Integer shrink factors: block sums in integers, then OpenCV's rounding for that case (the 2×2 SIMD path
 * rounds half up, the generic one multiplies by a float32 1/area and rounds half to even).
 */
function shrinkBlocks(img: Gray, fx: number, fy: number): Gray {
  const { data, width: sw } = img;
  const dw = sw / fx;
  const dh = img.height / fy;
  const out = new Uint8Array(dw * dh);
  if (fx === 2 && fy === 2) {
    // the commonest halving (e.g. 256 → 128) in one pass, ~4× faster than the general loop
    for (let oy = 0; oy < dh; oy++) {
      const top = 2 * oy * sw;
      const o = oy * dw;
      for (let ox = 0, i = top; ox < dw; ox++, i += 2)
        out[o + ox] = (data[i] + data[i + 1] + data[i + sw] + data[i + sw + 1] + 2) >> 2;
    }
    return { data: out, width: dw, height: dh };
  }
  const sums = new Uint32Array(dw);
  const inv = Math.fround(1 / (fx * fy));
  for (let oy = 0; oy < dh; oy++) {
    sums.fill(0);
    for (let y = oy * fy; y < (oy + 1) * fy; y++) {
      let i = y * sw;
      for (let ox = 0; ox < dw; ox++) {
        let acc = 0;
        for (let k = 0; k < fx; k++) acc += data[i++];
        sums[ox] = sums[ox] + acc;
      }
    }
    for (let ox = 0; ox < dw; ox++) {
      const sum = sums[ox];
      out[oy * dw + ox] = fx === 2 && fy === 2 ? (sum + 2) >> 2 : Math.min(255, roundHalfEven(Math.fround(sum * inv)));
    }
  }
  return { data: out, width: dw, height: dh };
}

/** Resizes to dw×dh (aspect ratio not kept, like `cv2.resize(img, (dw, dh), interpolation=INTER_AREA)`). */
export function resizeArea(img: Gray, dw: number, dh: number): Gray {
  const { data, width: sw, height: sh } = img;
  if (sw === dw && sh === dh) return { data: data.slice(), width: dw, height: dh };
  if (sw % dw === 0 && sh % dh === 0) return shrinkBlocks(img, sw / dw, sh / dh);
  const cx = areaWeights(sw, dw);
  const cy = areaWeights(sh, dh);
  const tmp = new Float64Array(sh * dw);
  for (let y = 0; y < sh; y++) {
    const row = y * sw;
    for (let x = 0; x < dw; x++) {
      let acc = 0;
      for (let k = cx.start[x]; k < cx.start[x + 1]; k++) acc += data[row + cx.idx[k]] * cx.w[k];
      tmp[y * dw + x] = acc;
    }
  }
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      let acc = 0;
      for (let k = cy.start[y]; k < cy.start[y + 1]; k++) acc += tmp[cy.idx[k] * dw + x] * cy.w[k];
      out[y * dw + x] = Math.min(255, Math.max(0, roundHalfEven(Math.fround(acc))));
    }
  }
  return { data: out, width: dw, height: dh };
}

/** `cv2.equalizeHist`. A flat image stays as it is. */
export function equalizeHist(img: Gray): Gray {
  const { data } = img;
  const hist = histogram(data);
  let first = 0;
  while (first < 255 && hist[first] === 0) first++;
  const total = data.length;
  const out = new Uint8Array(total);
  if (hist[first] === total) {
    out.fill(first);
    return { data: out, width: img.width, height: img.height };
  }
  const scale = Math.fround(255 / (total - hist[first]));
  const lut = new Uint8Array(256);
  let sum = 0;
  for (let j = first + 1; j < 256; j++) {
    sum += hist[j];
    lut[j] = Math.min(255, roundHalfEven(Math.fround(sum * scale)));
  }
  for (let i = 0; i < total; i++) out[i] = lut[data[i]];
  return { data: out, width: img.width, height: img.height };
}

/**
 * Counts of each byte value. Four interleaved sub-histograms: runs of equal pixels (flat background)
 * otherwise make every increment wait for the previous one to the same counter (~25% faster here).
 */
function histogram(data: Uint8Array): Int32Array {
  const sub = new Int32Array(1024);
  const n4 = data.length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    sub[data[i]]++;
    sub[256 + data[i + 1]]++;
    sub[512 + data[i + 2]]++;
    sub[768 + data[i + 3]]++;
  }
  for (; i < data.length; i++) sub[data[i]]++;
  const hist = new Int32Array(256);
  for (let v = 0; v < 256; v++) hist[v] = sub[v] + sub[256 + v] + sub[512 + v] + sub[768 + v];
  return hist;
}

/** Contrast-limited adaptive histogram equalisation (OpenCV-style defaults: 8×8 tiles, clip 2.0). */
export function clahe(img: Gray, clipLimit = 2, tiles = 8): Gray {
  const { data, width: w, height: h } = img;
  const tw = Math.max(1, Math.ceil(w / tiles));
  const th = Math.max(1, Math.ceil(h / tiles));
  const nx = Math.ceil(w / tw);
  const ny = Math.ceil(h / th);
  const luts: Uint8Array[] = [];
  for (let ty = 0; ty < ny; ty++) {
    for (let tx = 0; tx < nx; tx++) {
      const hist = new Float64Array(256);
      let n = 0;
      for (let y = ty * th; y < Math.min(h, (ty + 1) * th); y++) {
        for (let x = tx * tw; x < Math.min(w, (tx + 1) * tw); x++) {
          hist[data[y * w + x]]++;
          n++;
        }
      }
      const limit = Math.max(1, (clipLimit * n) / 256);
      let excess = 0;
      for (let i = 0; i < 256; i++)
        if (hist[i] > limit) {
          excess += hist[i] - limit;
          hist[i] = limit;
        }
      const lut = new Uint8Array(256);
      let sum = 0;
      for (let i = 0; i < 256; i++) {
        sum += hist[i] + excess / 256;
        lut[i] = Math.min(255, Math.round((sum * 255) / n));
      }
      luts.push(lut);
    }
  }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const gy = Math.min(ny - 1, Math.max(0, (y + 0.5) / th - 0.5));
    const y0 = Math.floor(gy),
      y1 = Math.min(ny - 1, y0 + 1),
      fy = gy - y0;
    for (let x = 0; x < w; x++) {
      const gx = Math.min(nx - 1, Math.max(0, (x + 0.5) / tw - 0.5));
      const x0 = Math.floor(gx),
        x1 = Math.min(nx - 1, x0 + 1),
        fx = gx - x0;
      const v = data[y * w + x];
      const at = (ty: number, tx: number): number => luts[ty * nx + tx][v];
      const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
      const bot = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
      out[y * w + x] = Math.round(top * (1 - fy) + bot * fy);
    }
  }
  return { data: out, width: w, height: h };
}
