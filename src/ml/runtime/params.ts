/**
 * The `runtime` params section as the model stages pass it to initRuntime: `backend` (validated by the
 * runtime, `XPIPE_TF_BACKEND` overrides it), and the optional wasm `threads` and `kernels` (default: the
 * runtime's).
 *
 * Owns: reading the section. Does not own: backend selection (src/ml/runtime).
 */
import { KERNELS_REQUESTS, parseThreads, resolveRequest, type RuntimeOptions } from '../runtime/index.js';
import { Reader, section } from '../params/index.js';

export function runtimeOptions(params: Readonly<Record<string, unknown>>, log: (line: string) => void): RuntimeOptions {
  const values = section(params, 'runtime');
  const options: RuntimeOptions = { backend: resolveRequest(values.backend), log };
  if (values.threads !== undefined && values.threads !== null) {
    options.threads = parseThreads(values.threads, 'runtime.threads');
  }
  if (values.kernels !== undefined && values.kernels !== null) {
    options.kernels = new Reader(values, 'runtime').oneOf('kernels', KERNELS_REQUESTS, 'auto');
  }
  return options;
}
