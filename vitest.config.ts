import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // End-to-end tests spawn the real CLI and stage processes; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The second entry shares one instance of each real test server per run (started on first use).
    globalSetup: ['tests/helpers/global-setup.ts', 'tests/servers/global-setup.ts'],
  },
});
