// Shared by the webgpu tests: whether a WebGPU adapter exists here (decided once, before tests are
// collected, so the tests can be skipped with the reason in their title) and error measures.
import { findAdapter, formatAdapter } from '../../../src/ml/runtime/webgpu.js';

const probe = await findAdapter();

/** Why the webgpu tests are skipped, or undefined when an adapter exists. */
export const webgpuSkipReason: string | undefined = probe.ok
  ? undefined
  : `SKIPPED: ${probe.reason}; on Debian, .ci/run installs mesa-vulkan-drivers (lavapipe) for these tests`;

/** The adapter the tests run on, for test titles. */
export const adapterLine = probe.ok ? formatAdapter(probe.adapter) : '';

/** Test title with the adapter, or with the skip reason. */
export function titled(title: string): string {
  return webgpuSkipReason === undefined ? title : `${title} (${webgpuSkipReason})`;
}

if (webgpuSkipReason !== undefined) process.stderr.write(`webgpu tests: ${webgpuSkipReason}\n`);
