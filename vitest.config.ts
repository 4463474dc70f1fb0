import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Real peers (openssl, dumpcap, chromium) make some tests slow; none is timed.
    testTimeout: 120_000,
    // Real peers, dumpcap and Chromium share two cores with the suite itself: a test that lost a race
    // with the machine gets one more run (vitest reports the retry). A test that fails twice fails.
    retry: 1,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
