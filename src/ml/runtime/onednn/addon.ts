/**
 * Loads xpipe's optional native kernels (native/onednn.cc: oneDNN, the library PyTorch's CPU convolutions
 * use, behind Node-API). Built by `npm run build:native` (run by `npm ci` through `postinstall`) where a C++
 * compiler and Debian's `libdnnl-dev` exist; absent otherwise, and then the wasm backend's own kernels run.
 *
 * Owns: finding and loading the binary, and its typed interface. Does not own: the kernels (kernels.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The geometry of one NHWC convolution as the addon reads it (filter HWIO, dilation as TF.js counts it). */
export interface NativeConvGeometry {
  x: number[];
  filter: number[];
  y: number[];
  strides: [number, number];
  dilations: [number, number];
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
}

/** The addon's functions. Each writes its output in place into the Float32Array passed last. */
export interface OnednnAddon {
  conv2dForward(
    g: NativeConvGeometry,
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    relu: boolean,
  ): void;
  conv2dBackwardData(g: NativeConvGeometry, dy: Float32Array, filter: Float32Array, dx: Float32Array): void;
  conv2dBackwardWeights(g: NativeConvGeometry, x: Float32Array, dy: Float32Array, dFilter: Float32Array): void;
  /** c[M,N] = op(a) @ op(b), row-major. */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
  ): void;
  /** out[c] = Σ x[..., c] over every leading axis. */
  channelSum(x: Float32Array, channels: number, out: Float32Array): void;
  /** Training-mode batch norm of x[rows, channels] with the batch's statistics. */
  batchNormForward(
    rows: number,
    channels: number,
    epsilon: number,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    xhat: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    rstd: Float32Array,
  ): void;
  batchNormBackward(
    rows: number,
    channels: number,
    dy: Float32Array,
    xhat: Float32Array,
    gamma: Float32Array,
    rstd: Float32Array,
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
  ): void;
  /** Inference-mode batch norm with per-channel parameters (TF.js's FusedBatchNorm). */
  batchNormInference(
    rows: number,
    channels: number,
    epsilon: number,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    offset: Float32Array | null,
    scale: Float32Array | null,
    y: Float32Array,
  ): void;
  /** dx of a max pool: each output gradient to the first maximum of its window. */
  maxPoolGrad(
    g: {
      x: number[];
      y: number[];
      filter: [number, number];
      strides: [number, number];
      padTop: number;
      padLeft: number;
    },
    dy: Float32Array,
    x: Float32Array,
    dx: Float32Array,
  ): void;
  /** out = a op b (0 add, 1 sub, 2 mul, 3 div); b or a the same size, one element, or the last axis. */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out = op(x) (0 relu, 1 square, 2 sqrt). */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** One Adam step of one variable (scalars: β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr as float32). */
  adamUpdate(
    scalars: Float32Array,
    value: Float32Array,
    m: Float32Array,
    v: Float32Array,
    gradient: Float32Array,
    newValue: Float32Array,
    newM: Float32Array,
    newV: Float32Array,
  ): void;
  setThreads(threads: number): void;
  info(): { version: string; isa: string; threads: number };
}

/** Where the build puts the binary: `native/build/` at the repository root (src/ and dist/ sit 3 levels down). */
export const ADDON_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../native/build/xpipe_onednn.node',
);

export type AddonLoad = { ok: true; addon: OnednnAddon } | { ok: false; reason: string };

let loaded: AddonLoad | undefined;

/** The addon, or why it is not available (never throws). Cached per process. */
export function loadOnednn(): AddonLoad {
  if (loaded !== undefined) return loaded;
  if (!existsSync(ADDON_PATH)) {
    loaded = { ok: false, reason: 'not built (needs a C++ compiler and libdnnl-dev, then `npm run build:native`)' };
    return loaded;
  }
  // OpenMP threads that spin while waiting (libgomp's default) collapse when another process holds a core:
  // a ChestNetS step took 3.6× longer with spinning than without on a half-busy 2-core machine
  // (bench/results/runtime.md). Passive waiting costs little when the machine is idle. libgomp reads this
  // when it loads, i.e. with the addon; a value the user set wins.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  try {
    const require = createRequire(import.meta.url);
    loaded = { ok: true, addon: require(ADDON_PATH) as OnednnAddon };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    loaded = { ok: false, reason: `failed to load: ${message}` };
  }
  return loaded;
}
