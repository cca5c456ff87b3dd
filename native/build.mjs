#!/usr/bin/env node
// Builds xpipe's optional native kernels (native/onednn.cc -> native/build/xpipe_onednn.node).
//
// Needs a C++17 compiler, OpenMP and oneDNN's headers and library (Debian: `apt-get install g++ libdnnl-dev`).
// Where any is missing it says so and exits 0: xpipe then runs the wasm backend's own kernels, slower, same
// results within float rounding. `--require` makes a missing prerequisite an error (CI uses it).
// Runs from `npm ci` (postinstall) and `npm run build:native`; skips the compile when the binary is newer
// than its source.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.join(here, 'onednn.cc');
const out = path.join(here, 'build', 'xpipe_onednn.node');
const required = process.argv.includes('--require');
const force = process.argv.includes('--force');

function skip(reason) {
  const line = `xpipe native kernels: not built (${reason}); the wasm backend's own kernels will be used`;
  if (required) {
    console.error(
      `${line}.\nInstall the prerequisites (Debian: apt-get install g++ libdnnl-dev) and run npm run build:native.`,
    );
    process.exit(1);
  }
  console.log(`${line}. To build them: apt-get install g++ libdnnl-dev && npm run build:native`);
  process.exit(0);
}

if (!existsSync(source)) process.exit(0); // an installed package (no native/ sources): nothing to build
if (!force && existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) process.exit(0);

// Node's own headers: beside the running node (<prefix>/include/node), or npm's configured nodedir.
const candidates = [path.resolve(path.dirname(process.execPath), '..', 'include', 'node')];
if (process.env.npm_config_nodedir) candidates.push(path.join(process.env.npm_config_nodedir, 'include', 'node'));
const nodeInclude = candidates.find((dir) => existsSync(path.join(dir, 'node_api.h')));
if (nodeInclude === undefined) skip(`Node's headers (node_api.h) not found in ${candidates.join(' or ')}`);

const cxx = process.env.CXX ?? 'g++';
if (spawnSync(cxx, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C++ compiler (${cxx})`);
const probe = spawnSync(cxx, ['-x', 'c++', '-std=c++17', '-fsyntax-only', '-'], {
  input: '#include <oneapi/dnnl/dnnl.hpp>\n',
  stdio: ['pipe', 'ignore', 'ignore'],
});
if (probe.status !== 0) skip('oneDNN headers not found (Debian package libdnnl-dev)');

mkdirSync(path.dirname(out), { recursive: true });
const partial = `${out}.${process.pid}.tmp`;
// x86-64-v2 (SSE4.2): oneDNN itself needs SSE4.1, and the max-pool gradient's select loop only vectorises
// with it. Not -march=native: a cluster's nodes may read the same build from a shared filesystem.
const arch = process.arch === 'x64' ? ['-march=x86-64-v2'] : [];
const started = Date.now();
try {
  execFileSync(
    cxx,
    [
      '-std=c++17',
      '-O3',
      ...arch,
      '-fPIC',
      '-shared',
      '-fopenmp',
      '-DNODE_GYP_MODULE_NAME=xpipe_onednn',
      `-I${nodeInclude}`,
      source,
      '-o',
      partial,
      '-ldnnl',
    ],
    { stdio: 'inherit' },
  );
} catch {
  rmSync(partial, { force: true });
  skip(`${cxx} failed on native/onednn.cc (output above)`);
}
renameSync(partial, out); // atomic: a half-written binary is never loaded
console.log(
  `xpipe native kernels: built native/build/xpipe_onednn.node in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
