import { defineConfig } from 'vitest/config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The workshop tool's own tests (not graded lessons): `npm run test:kata`.
export default defineConfig({
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
  test: {
    include: ['kata/test/**/*.test.ts'],
    // The end-to-end tests start vitest inside vitest on a fixture repository.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
