// Backend selection: option/env resolution, validation wording, auto fallback on this machine, idempotence.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveKernels, resolveRequest, resolveThreads, type RuntimeInfo } from '../../../src/ml/runtime/index.js';
import { loadOnednn } from '../../../src/ml/runtime/onednn/addon.js';
import { findAdapter } from '../../../src/ml/runtime/webgpu.js';
import { autoThreads, MAX_AUTO_THREADS, THREADED_WASM_VERSION } from '../../../src/ml/runtime/threads-auto.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/print-runtime.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

interface Printed {
  info: RuntimeInfo;
  lines: string[];
  same: boolean;
  checksum: number;
}

async function printRuntime(arg: string | undefined, env: Record<string, string | undefined>): Promise<Printed> {
  const childEnv = { ...process.env, ...env };
  if (env.XPIPE_TF_BACKEND === undefined) delete childEnv.XPIPE_TF_BACKEND;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture, ...(arg === undefined ? [] : [arg])], {
    cwd: root,
    env: childEnv,
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Printed;
}

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('resolveRequest', () => {
  it('defaults to auto and lets XPIPE_TF_BACKEND override the option', () => {
    expect(resolveRequest(undefined, {})).toBe('auto');
    expect(resolveRequest('cpu', {})).toBe('cpu');
    expect(resolveRequest('cpu', { XPIPE_TF_BACKEND: 'wasm' })).toBe('wasm');
    expect(resolveRequest('wasm', { XPIPE_TF_BACKEND: '' })).toBe('wasm');
  });

  it('rejects unknown backends with the standard wording', () => {
    expect(() => resolveRequest('gpu', {})).toThrow(
      "expected one of auto | tensorflow | webgpu | wasm | cpu for runtime.backend, got 'gpu' (string)",
    );
    expect(() => resolveRequest('auto', { XPIPE_TF_BACKEND: 'webgl' })).toThrow(
      "expected one of auto | tensorflow | webgpu | wasm | cpu for XPIPE_TF_BACKEND, got 'webgl' (string)",
    );
    expect(() => resolveRequest(3, {})).toThrow("got '3' (number)");
  });
});

describe('resolveThreads', () => {
  it('defaults to auto, lets XPIPE_WASM_THREADS override, and validates', () => {
    expect(resolveThreads(undefined, {})).toBe('auto');
    expect(resolveThreads('auto', {})).toBe('auto');
    expect(resolveThreads(2, {})).toBe(2);
    expect(resolveThreads(1, { XPIPE_WASM_THREADS: '2' })).toBe(2);
    expect(resolveThreads(1, { XPIPE_WASM_THREADS: 'auto' })).toBe('auto');
    expect(() => resolveThreads(0, {})).toThrow(
      "expected 'auto' or positive integer for runtime.threads, got '0' (number)",
    );
    expect(() => resolveThreads(1, { XPIPE_WASM_THREADS: 'two' })).toThrow(
      "expected 'auto' or positive integer for XPIPE_WASM_THREADS, got 'two' (string)",
    );
  });
});

describe('resolveKernels', () => {
  it('defaults to auto, lets XPIPE_KERNELS override, and validates', () => {
    expect(resolveKernels(undefined, {})).toBe('auto');
    expect(resolveKernels('wasm', {})).toBe('wasm');
    expect(resolveKernels('wasm', { XPIPE_KERNELS: 'onednn' })).toBe('onednn');
    expect(() => resolveKernels('mkl', {})).toThrow(
      /expected one of auto \| onednn \| wasm for runtime\.kernels, got 'mkl'/,
    );
    expect(() => resolveKernels(undefined, { XPIPE_KERNELS: 'x' })).toThrow(/XPIPE_KERNELS/);
  });
});

describe('autoThreads', () => {
  it('uses every core up to the cap with the pinned wasm build, else one thread', () => {
    expect(autoThreads(2, THREADED_WASM_VERSION)).toEqual({ threads: 2, reason: '2 cores' });
    expect(autoThreads(1, THREADED_WASM_VERSION).threads).toBe(1);
    expect(autoThreads(64, THREADED_WASM_VERSION)).toEqual({
      threads: MAX_AUTO_THREADS,
      reason: `64 cores, capped at ${MAX_AUTO_THREADS}`,
    });
    expect(autoThreads(8, '4.23.0')).toMatchObject({ threads: 1 });
    expect(autoThreads(8, '')).toMatchObject({ threads: 1 });
  });
});

describe('initRuntime (child processes)', async () => {
  const nativeInstalled = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');
  const adapter = await findAdapter();
  const hardwareGpu = adapter.ok && !adapter.adapter.software;

  it('auto skips absent native packages and a software or absent WebGPU adapter with one-line notes, and picks wasm', async () => {
    const { info, lines, same } = await printRuntime(undefined, {});
    expect(info.requested).toBe('auto');
    expect(same).toBe(true);
    if (nativeInstalled || hardwareGpu) {
      expect(info.backend).toBe(nativeInstalled ? 'tensorflow' : 'webgpu');
      return;
    }
    expect(info.backend).toBe('wasm');
    const webgpuLine = lines.find((l) => l.startsWith('runtime: skipped @tensorflow/tfjs-backend-webgpu: '));
    expect(webgpuLine).toMatch(
      adapter.ok
        ? /: software adapter \(.+\) is slower than wasm; runtime\.backend: webgpu uses it anyway$/
        : /: no WebGPU adapter/,
    );
    expect(info.threads).toBe(autoThreads().threads);
    expect(lines).toContain(`runtime: threads auto: ${autoThreads().threads} (${autoThreads().reason})`);
    expect(lines).toContain('runtime: skipped @tensorflow/tfjs-node-gpu: not installed');
    expect(lines).toContain('runtime: skipped @tensorflow/tfjs-node: not installed');
    expect(lines.at(-1)).toMatch(/^runtime: backend wasm \(requested auto, from @tensorflow\/tfjs-backend-wasm/);
    expect(lines.join('\n')).toContain('Conv2DBackpropFilter');
  });

  it('XPIPE_WASM_THREADS=2 runs the threaded-simd build with 2 threads, same results, and the process exits', async () => {
    const single = await printRuntime('wasm', { XPIPE_WASM_THREADS: '1', XPIPE_KERNELS: 'wasm' });
    const threaded = await printRuntime('wasm', { XPIPE_WASM_THREADS: '2', XPIPE_KERNELS: 'wasm' });
    expect(threaded.lines.join('\n')).toContain('threaded-simd build on 2 worker threads');
    expect(single.info.threads).toBe(1);
    expect(threaded.info).toMatchObject({ backend: 'wasm', threads: 2 });
    expect(Math.abs(threaded.checksum - single.checksum) / Math.abs(single.checksum)).toBeLessThan(1e-5);
  });

  it.skipIf(!adapter.ok)(
    `an explicit webgpu request uses any adapter, names it, and the process exits${adapter.ok ? '' : ` (SKIPPED: ${adapter.reason})`}`,
    async () => {
      const { info, lines, checksum } = await printRuntime('webgpu', {});
      expect(info).toMatchObject({
        backend: 'webgpu',
        requested: 'webgpu',
        provider: '@tensorflow/tfjs-backend-webgpu',
      });
      expect(lines).toContain('runtime: project webgpu kernels: MaxPoolGrad');
      expect(lines.find((l) => l.startsWith('runtime: webgpu adapter: vendor '))).toMatch(
        /(software|hardware) adapter\)$/,
      );
      const cpu = await printRuntime('cpu', {});
      expect(Math.abs(checksum - cpu.checksum) / Math.abs(cpu.checksum)).toBeLessThan(1e-5);
    },
  );

  it.skipIf(!loadOnednn().ok)(
    'auto uses the oneDNN kernels when the addon is built, and XPIPE_KERNELS=wasm turns them off (same results)',
    async () => {
      const native = await printRuntime('wasm', { XPIPE_WASM_THREADS: '2' });
      const wasm = await printRuntime('wasm', { XPIPE_WASM_THREADS: '2', XPIPE_KERNELS: 'wasm' });
      expect(native.info.kernels).toBe('onednn');
      expect(
        native.lines.some((l) => /^runtime: oneDNN \d+\.\d+\.\d+ \(.+, 2 OpenMP thread\(s\)\) runs Conv2D/.test(l)),
      ).toBe(true);
      expect(native.lines.join('\n')).toContain('wasm SIMD, single thread');
      expect(native.lines.at(-1)).toMatch(/2 thread\(s\), onednn kernels\)$/);
      expect(wasm.info.kernels).toBe('wasm');
      expect(wasm.lines.some((l) => l.includes('oneDNN'))).toBe(false);
      expect(Math.abs(native.checksum - wasm.checksum) / Math.abs(wasm.checksum)).toBeLessThan(1e-5);
    },
  );

  it('XPIPE_TF_BACKEND=cpu overrides the option', async () => {
    const { info } = await printRuntime('wasm', { XPIPE_TF_BACKEND: 'cpu' });
    expect(info).toMatchObject({ backend: 'cpu', requested: 'cpu' });
  });

  it.skipIf(nativeInstalled)(
    'an explicit tensorflow request without the native package fails with the reasons',
    async () => {
      await expect(printRuntime('tensorflow', {})).rejects.toThrow(
        /backend 'tensorflow' is not available: skipped @tensorflow\/tfjs-node-gpu: not installed; skipped @tensorflow\/tfjs-node: not installed/,
      );
    },
  );
});
