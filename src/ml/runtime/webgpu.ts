/**
 * WebGPU in Node: Dawn (the `webgpu` npm package, native binary inside its tarball) as `navigator.gpu`
 * for `@tensorflow/tfjs-backend-webgpu`, so a machine with a Vulkan/Metal/D3D12 driver trains on its GPU
 * with nothing but `npm ci` (no libtensorflow, no CUDA toolkit).
 *
 * Owns: loading Dawn, requesting and describing the adapter, telling a software adapter (Mesa
 * lavapipe/llvmpipe, SwiftShader, WARP) from a hardware one, installing the globals tfjs-webgpu reads when
 * it is imported, and activating the backend (+ the project's webgpu kernels). Does not own: the order of
 * candidates (index.ts) or the kernels (webgpu-kernels.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerWebGPUKernels } from './webgpu-kernels.js';
import type { Attempt } from './backends.js';

/** What Dawn says about the adapter it found (WebGPU `GPUAdapterInfo`), plus our verdict. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's own flag: a CPU implementation offered because no better adapter exists. */
  fallback: boolean;
  /** Software rasteriser (by {@link isSoftwareAdapter}): correct but slower than wasm, so `auto` skips it. */
  software: boolean;
}

/** Names of CPU implementations of Vulkan/D3D12/Metal that Dawn may expose as an adapter. */
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

/**
 * True for a software adapter: Dawn's fallback flag, architecture `software` or `cpu` (what Dawn reports
 * for lavapipe), or a known software rasteriser's name in the device/description.
 */
export function isSoftwareAdapter(info: Omit<AdapterDescription, 'software'>): boolean {
  if (info.fallback) return true;
  if (/^(software|cpu)$/i.test(info.architecture.trim())) return true;
  return SOFTWARE_NAMES.test(`${info.vendor} ${info.device} ${info.description}`);
}

/** One line for logs and the bench: `vendor mesa, architecture software, llvmpipe: Mesa 25.0 … (software)`. */
export function formatAdapter(a: AdapterDescription): string {
  const parts = [`vendor ${a.vendor || '?'}`, `architecture ${a.architecture || '?'}`];
  if (a.device !== '') parts.push(`device ${a.device}`);
  if (a.description !== '') parts.push(`description "${a.description}"`);
  return `${parts.join(', ')} (${a.software ? 'software' : 'hardware'} adapter)`;
}

interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & {
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

/** Result of {@link findAdapter}: the adapter's description, or why there is none. */
export type AdapterProbe =
  { ok: true; adapter: AdapterDescription; gpu: GpuLike; dawn: DawnModule } | { ok: false; reason: string };

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 200) ?? text;
}

let probe: Promise<AdapterProbe> | undefined;

/**
 * Loads Dawn and asks it for the high-performance adapter (what tfjs-webgpu will request too). Never throws;
 * the result is cached, since Dawn instances are costly and the answer does not change within a process.
 */
export function findAdapter(): Promise<AdapterProbe> {
  probe ??= (async (): Promise<AdapterProbe> => {
    let dawn: DawnModule;
    try {
      dawn = (await import('webgpu')) as unknown as DawnModule;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
      return {
        ok: false,
        reason: missing ? 'package webgpu not installed' : `Dawn failed to load: ${firstLine(error)}`,
      };
    }
    try {
      const gpu = dawn.create([]);
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (adapter === null) {
        return {
          ok: false,
          reason:
            'no WebGPU adapter (no Vulkan driver found: install the GPU vendor driver, or libvulkan1 + a Vulkan ICD)',
        };
      }
      const info = adapter.info ?? {};
      const base = {
        vendor: info.vendor ?? '',
        architecture: info.architecture ?? '',
        device: info.device ?? '',
        description: info.description ?? '',
        fallback: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
      };
      return { ok: true, adapter: { ...base, software: isSoftwareAdapter(base) }, gpu, dawn };
    } catch (error) {
      return { ok: false, reason: `WebGPU adapter request failed: ${firstLine(error)}` };
    }
  })();
  return probe;
}

/**
 * Makes Dawn's `gpu` the `navigator.gpu` tfjs-webgpu looks for, and adds the WebGPU constants
 * (`GPUBufferUsage`, …) its shaders' buffers use. Leaves existing globals alone.
 */
function installGlobals(dawn: DawnModule, gpu: GpuLike): void {
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else if (!('gpu' in nav)) {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  }
}

/**
 * The WebGPU backend. `allowSoftware: false` (what `auto` passes) skips a software adapter: on a CPU it is
 * ~10× slower than wasm (lavapipe: ChestNetS 64² trains at ~5 img/s, wasm ~55).
 */
export async function tryWebGPU(allowSoftware: boolean): Promise<Attempt> {
  const provider = '@tensorflow/tfjs-backend-webgpu';
  const found = await findAdapter();
  if (!found.ok) return { ok: false, provider, reason: found.reason };
  const { adapter, gpu, dawn } = found;
  if (adapter.software && !allowSoftware) {
    return {
      ok: false,
      provider,
      reason: `software adapter (${adapter.description || adapter.device || adapter.vendor}) is slower than wasm; runtime.backend: webgpu uses it anyway`,
    };
  }
  installGlobals(dawn, gpu);
  try {
    // Registers the `webgpu` backend on import, if navigator.gpu exists (hence installGlobals first).
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    return { ok: false, provider, reason: missing ? 'not installed' : firstLine(error) };
  }
  if (tf.findBackendFactory('webgpu') === null) {
    return {
      ok: false,
      provider,
      reason: `it registered into another @tensorflow/tfjs-core copy; install ${provider}@${tf.version_core}`,
    };
  }
  try {
    if (!(await tf.setBackend('webgpu'))) return { ok: false, provider, reason: 'backend failed to initialise' };
  } catch (error) {
    return { ok: false, provider, reason: `backend failed to initialise: ${firstLine(error)}` };
  }
  const registered = registerWebGPUKernels();
  const notes = [`webgpu adapter: ${formatAdapter(adapter)}`];
  if (registered.length > 0) notes.push(`project webgpu kernels: ${registered.join(', ')}`);
  if (adapter.software) notes.push('software adapter: correct but slower than wasm (for tests, not training)');
  return { ok: true, provider, notes };
}
