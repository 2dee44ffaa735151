import { defineConfig } from 'vitest/config';
import path from 'node:path';
import { implDir } from './kata/impl-switch.js';

// `#kata/x.js` resolves to src/x.ts or solutions/x.ts, chosen by DOCKERLINGS_IMPL
// (see kata/impl-switch.ts): the graded checks never name a tree themselves.
export default defineConfig({
  resolve: {
    alias: [{ find: /^#kata\/(.*)$/, replacement: `${implDir()}${path.sep}$1` }],
  },
  test: {
    include: ['test/lessons/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // A graded run is judged, not debugged: one attempt per check.
    retry: 0,
  },
});
