/**
 * Depthwise-convolution gradients for the wasm backend (absent from tfjs-backend-wasm), as direct loops on
 * the heap: `DepthwiseConv2dNativeBackpropFilter` and `DepthwiseConv2dNativeBackpropInput`.
 * Depthwise convs are cheap (C·fh·fw MACs per pixel), so direct loops keep up with XNNPACK elsewhere.
 *
 * Owns: these two kernel functions. Does not own: registration (register.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { view, zeros, type WasmBackendLike } from './wasm-heap.js';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

interface Walk {
  info: Conv2DInfo;
  /** channel multiplier */
  M: number;
}

/** Calls `visit(xOffset, dyOffset, wOffset)` for every valid (n, oy, ox, kh, kw) tap; offsets at channel 0. */
function forEachTap({ info, M }: Walk, visit: (xo: number, dyo: number, wo: number) => void): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: oH, outWidth: oW } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < oH; oy++) {
      for (let kh = 0; kh < fh; kh++) {
        const iy = oy * sh + kh * dh - top;
        if (iy < 0 || iy >= H) continue;
        for (let ox = 0; ox < oW; ox++) {
          const dyo = ((n * oH + oy) * oW + ox) * C * M;
          for (let kw = 0; kw < fw; kw++) {
            const ix = ox * sw + kw * dw - left;
            if (ix < 0 || ix >= W) continue;
            visit(((n * H + iy) * W + ix) * C, dyo, (kh * fw + kw) * C * M);
          }
        }
      }
    }
  }
}

function walk(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap | undefined): Walk {
  const { strides, dilations, pad, dimRoundingMode } = attrs as unknown as tf.DepthwiseConv2dNativeAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  return { info, M: info.outChannels / info.inChannels };
}

export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const filterShape = (attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs).filterShape;
  const w = walk(x.shape, filterShape, attrs);
  const out = zeros(b, [...filterShape]);
  const xs = view(b, x);
  const dys = view(b, dy);
  const dW = view(b, out);
  const C = w.info.inChannels;
  const M = w.M;
  if (M === 1) {
    forEachTap(w, (xo, dyo, wo) => {
      for (let c = 0; c < C; c++) dW[wo + c] += xs[xo + c] * dys[dyo + c];
    });
  } else {
    forEachTap(w, (xo, dyo, wo) => {
      for (let c = 0; c < C; c++) {
        const xv = xs[xo + c];
        for (let m = 0; m < M; m++) dW[wo + c * M + m] += xv * dys[dyo + c * M + m];
      }
    });
  }
  return out;
};

export const depthwiseBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const inputShape = (attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs).inputShape;
  const w = walk(inputShape, filter.shape, attrs);
  const out = zeros(b, [...inputShape]);
  const dys = view(b, dy);
  const ws = view(b, filter);
  const dx = view(b, out);
  const C = w.info.inChannels;
  const M = w.M;
  if (M === 1) {
    forEachTap(w, (xo, dyo, wo) => {
      for (let c = 0; c < C; c++) dx[xo + c] += dys[dyo + c] * ws[wo + c];
    });
  } else {
    forEachTap(w, (xo, dyo, wo) => {
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += dys[dyo + c * M + m] * ws[wo + c * M + m];
        dx[xo + c] += s;
      }
    });
  }
  return out;
};
