// The packed-tarball suite (`npm run test:pack`): kept out of `npm test` (its *.pack-test.ts files do not
// match the main config's pattern) because it builds, packs and npm-installs xpipe, which takes minutes.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/pack/**/*.pack-test.ts'],
    // Each case runs the installed CLI (or tsc) in a child process on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
