/**
 * The project's kernels for the `webgpu` backend: replacements for built-ins that disagree with `cpu`.
 *
 * Owns: the list, the WGSL of each replacement, and the registration, once per process. Does not own:
 * selecting the backend (webgpu.ts). Every training kernel the zoo uses is compared with `cpu` per element
 * in tests/ml/runtime/webgpu.test.ts.
 *
 * - `MaxPoolGrad`: tfjs-webgpu 4.22 sends the gradient of a window with tied maxima to the LAST maximum
 *   (`value >= max` in its positions shader); TensorFlow, tfjs `cpu` and the project's wasm kernel send it
 *   to the FIRST. Ties are common after ReLU (all-zero windows), so the built-in's gradients differ from
 *   `cpu` element by element. Ours computes first-maximum positions, then the built-in's backprop scheme.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { maxPoolGradInfo } from './kernels/max-pool-grad.js';

type Program = Parameters<WebGPUBackend['runWebGPUProgram']>[0];
type Uniforms = NonNullable<Parameters<WebGPUBackend['runWebGPUProgram']>[3]>;

/** A flat program: one invocation per output element (tfjs-webgpu reshapes oversized dispatches itself). */
function flatProgram(
  shaderKey: string,
  outputShape: number[],
  variableNames: string[],
  uniforms: string,
  code: string,
): Program {
  const workgroupSize: [number, number, number] = [64, 1, 1];
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    shaderKey,
    outputShape,
    variableNames,
    uniforms,
    size: true,
    workgroupSize,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / workgroupSize[0]), 1, 1],
    getUserCode: () => code,
  };
}

/** Index (wR * filterWidth + wC) of the FIRST maximum of each pooling window; out-of-bounds taps skipped. */
const FIRST_MAX_POSITIONS = `
fn main(index : i32) {
  if (index < uniforms.size) {
    let coords = getCoordsFromIndex(index);
    let batch = coords[0];
    let d = coords[3];
    let corner = vec2<i32>(coords.yz) * uniforms.strides - uniforms.pads;
    var maxValue = 0.0;
    var found = false;
    var maxPosition = 0;
    for (var wR = 0; wR < uniforms.filterDims.x; wR = wR + 1) {
      let xR = corner.x + wR;
      if (xR < 0 || xR >= uniforms.convDims.x) { continue; }
      for (var wC = 0; wC < uniforms.filterDims.y; wC = wC + 1) {
        let xC = corner.y + wC;
        if (xC < 0 || xC >= uniforms.convDims.y) { continue; }
        let value = getX(batch, xR, xC, d);
        // Strictly greater: a later tie does not move the position (TensorFlow's rule).
        if (!found || value > maxValue) {
          maxValue = value;
          found = true;
          maxPosition = wR * uniforms.filterDims.y + wC;
        }
      }
    }
    setOutputAtIndexI32(index, maxPosition);
  }
}`;

/** dx(xR, xC) = sum of dy over the windows whose chosen position is (xR, xC). */
const MAX_POOL_BACKPROP = `
fn main(index : i32) {
  if (index < uniforms.size) {
    let coords = getCoordsFromIndex(index);
    let batch = coords[0];
    let d = coords[3];
    var sum = 0.0;
    for (var wR = 0; wR < uniforms.filterDims.x; wR = wR + 1) {
      let r = coords[1] + uniforms.pads.x - wR;
      if (r < 0 || r % uniforms.strides.x != 0) { continue; }
      let dyR = r / uniforms.strides.x;
      if (dyR >= uniforms.outDims.x) { continue; }
      for (var wC = 0; wC < uniforms.filterDims.y; wC = wC + 1) {
        let c = coords[2] + uniforms.pads.y - wC;
        if (c < 0 || c % uniforms.strides.y != 0) { continue; }
        let dyC = c / uniforms.strides.y;
        if (dyC >= uniforms.outDims.y) { continue; }
        if (i32(getMaxPos(batch, dyR, dyC, d)) == wR * uniforms.filterDims.y + wC) {
          sum = sum + getDy(batch, dyR, dyC, d);
        }
      }
    }
    setOutputAtIndex(index, sum);
  }
}`;

/** `MaxPoolGrad` with TensorFlow's tie rule (see the header). Dilation 1, as the op itself requires. */
export const maxPoolGradFirstMax: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const gpu = backend as WebGPUBackend;
  const info = maxPoolGradInfo(input, attrs);
  const common: Uniforms = [
    { type: 'int32', data: [info.strideHeight, info.strideWidth] },
    { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
    { type: 'int32', data: [info.filterHeight, info.filterWidth] },
  ];
  const positions = gpu.runWebGPUProgram(
    flatProgram(
      'xpipe_maxPoolFirstPositions',
      info.outShape,
      ['x'],
      'strides : vec2<i32>, pads : vec2<i32>, filterDims : vec2<i32>, convDims : vec2<i32>,',
      FIRST_MAX_POSITIONS,
    ),
    [input],
    'int32',
    [...common, { type: 'int32', data: [info.inHeight, info.inWidth] }],
  );
  const dx = gpu.runWebGPUProgram(
    flatProgram(
      'xpipe_maxPoolBackprop',
      info.inShape,
      ['dy', 'maxPos'],
      'strides : vec2<i32>, pads : vec2<i32>, filterDims : vec2<i32>, outDims : vec2<i32>,',
      MAX_POOL_BACKPROP,
    ),
    [dy, positions],
    input.dtype,
    [...common, { type: 'int32', data: [info.outHeight, info.outWidth] }],
  );
  gpu.disposeData(positions.dataId);
  return dx;
};

/** Kernel name → implementation for `webgpu`. */
export const WEBGPU_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  MaxPoolGrad: maxPoolGradFirstMax,
};

let registered: string[] | undefined;

/** Registers {@link WEBGPU_KERNELS} for `webgpu` (replacing built-ins); returns their names. Idempotent. */
export function registerWebGPUKernels(): string[] {
  if (registered !== undefined) return registered;
  registered = [];
  for (const [kernelName, kernelFunc] of Object.entries(WEBGPU_KERNELS)) {
    if (tf.getKernel(kernelName, 'webgpu') !== undefined) tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc });
    registered.push(kernelName);
  }
  return registered;
}
