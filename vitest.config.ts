import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Removes the test files' scratch directories after each file, passed or failed.
    setupFiles: ['test/helpers/setup.ts'],
    // Synth bundles the Lambda with esbuild and `cdk synth` starts a process: seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
