/**
 * `MaxPoolGrad` for the wasm backend: routes each output gradient to the first maximum of its window
 * (TensorFlow's tie rule), recomputed from the forward input. One pass over the windows; the backend's
 * built-in is several times slower.
 *
 * Owns: the kernel function. Does not own: registration (register.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { view, zeros, type WasmBackendLike } from './wasm-heap.js';

/** The pooling geometry of a `MaxPoolGrad` call (dilation 1, as the op requires); shared with the WebGPU kernel. */
export function maxPoolGradInfo(
  input: tf.TensorInfo,
  attrs: tf.NamedAttrMap | undefined,
): ReturnType<typeof tf.backend_util.computePool2DInfo> {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  return tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
}

export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const info = maxPoolGradInfo(input, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: oH, outWidth: oW } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const out = zeros(b, [...input.shape]);
  const x = view(b, input);
  const g = view(b, dy);
  const dx = view(b, out);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < oH; oy++) {
      const y0 = Math.max(0, oy * sh - top);
      const y1 = Math.min(H, oy * sh - top + fh);
      for (let ox = 0; ox < oW; ox++) {
        const x0 = Math.max(0, ox * sw - left);
        const x1 = Math.min(W, ox * sw - left + fw);
        const go = ((n * oH + oy) * oW + ox) * C;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const i = ((n * H + iy) * W + ix) * C + c;
              const v = x[i];
              if (v > best || at < 0) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[go + c];
        }
      }
    }
  }
  return out;
};
