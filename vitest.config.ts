import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    globalSetup: ['test/globalSetup.ts'],
    setupFiles: ['test/fileScratch.ts'],
    testTimeout: 30_000,
    // CI=true (as .ci/run has it) makes Ink print only the final frame; the cockpit tests, and
    // the cockpit they start in tmux, need the interactive renderer a user gets.
    env: { CI: 'false' },
    hookTimeout: 60_000,
    // Integration tests start real child processes; two cores is the budget.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
