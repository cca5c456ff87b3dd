// Telling a software WebGPU adapter (which `auto` must never choose) from a hardware one, from what Dawn
// reports in GPUAdapterInfo. The software rows are what Dawn reported for lavapipe here and what it reports
// for SwiftShader; the hardware rows are typical NVIDIA/AMD/Intel/Apple reports.
import { describe, expect, it } from 'vitest';
import { formatAdapter, isSoftwareAdapter } from '../../../src/ml/runtime/webgpu.js';

const row = (vendor: string, architecture: string, device: string, description: string, fallback = false) => ({
  vendor,
  architecture,
  device,
  description,
  fallback,
});

describe('isSoftwareAdapter', () => {
  it('recognises lavapipe, llvmpipe, SwiftShader and WARP, and any adapter Dawn flags as fallback', () => {
    const lavapipe = row(
      'mesa',
      'software',
      'llvmpipe-llvm-15-0-6-256-bits-',
      'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
      true,
    );
    expect(isSoftwareAdapter(lavapipe)).toBe(true);
    expect(isSoftwareAdapter({ ...lavapipe, fallback: false })).toBe(true); // the name alone suffices
    expect(isSoftwareAdapter({ ...lavapipe, fallback: false, architecture: '' })).toBe(true);
    expect(isSoftwareAdapter(row('google', '', 'swiftshader-device', 'SwiftShader Device (Subzero)'))).toBe(true);
    expect(isSoftwareAdapter(row('microsoft', '', '', 'Microsoft Basic Render Driver'))).toBe(true);
    expect(isSoftwareAdapter(row('', 'cpu', '', ''))).toBe(true);
    expect(isSoftwareAdapter(row('nvidia', 'ampere', '', '', true))).toBe(true);
  });

  it('treats real GPUs as hardware', () => {
    expect(isSoftwareAdapter(row('nvidia', 'ampere', '2204', 'NVIDIA GeForce RTX 3090'))).toBe(false);
    expect(isSoftwareAdapter(row('amd', 'rdna-2', '73bf', 'AMD Radeon RX 6800 XT (RADV NAVI21)'))).toBe(false);
    expect(isSoftwareAdapter(row('intel', 'gen-12lp', '9a49', 'Mesa Intel(R) Xe Graphics (TGL GT2)'))).toBe(false);
    expect(isSoftwareAdapter(row('apple', 'metal-3', '', 'Apple M2'))).toBe(false);
  });

  it('formats one line with every field and the verdict', () => {
    const a = row('nvidia', 'ampere', '2204', 'NVIDIA GeForce RTX 3090');
    expect(formatAdapter({ ...a, software: false })).toBe(
      'vendor nvidia, architecture ampere, device 2204, description "NVIDIA GeForce RTX 3090" (hardware adapter)',
    );
    expect(formatAdapter({ ...row('', '', '', ''), software: true })).toBe(
      'vendor ?, architecture ? (software adapter)',
    );
  });
});
