/**
 * The one switch that selects which implementation runs: the learner's `src/`
 * (the default) or the reference in `solutions/` (`DOCKERLINGS_IMPL=reference`).
 *
 * Tests, the executables in `bin/` and the workshop tool all read it from here,
 * so `DOCKERLINGS_IMPL=reference npx minidocker …` and
 * `npm run test:reference` always agree on what they run. It is the only
 * switch: the graded checks' `#kata/*` is an alias of vitest.config.ts that
 * follows it, and typechecking maps `#kata/*` with `paths` (tsconfig.json to
 * src/, tsconfig.reference.json to solutions/), with no package.json imports.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The two implementation trees. */
export type Impl = 'learner' | 'reference';

/** The repository root (the folder holding package.json). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The environment variable that selects the implementation. */
export const IMPL_ENV = 'DOCKERLINGS_IMPL';

/**
 * Reads the switch from an environment. Unset, empty, `learner` or `src` select
 * the learner's tree; `reference` or `solutions` select the reference.
 * @throws Error naming the accepted values for anything else.
 */
export function selectedImpl(env: NodeJS.ProcessEnv = process.env): Impl {
  const value = (env[IMPL_ENV] ?? '').trim().toLowerCase();
  if (value === '' || value === 'learner' || value === 'src') return 'learner';
  if (value === 'reference' || value === 'solutions') return 'reference';
  throw new Error(`${IMPL_ENV}=${value} is not understood: use "reference" for solutions/ or leave it unset for src/`);
}

/** The absolute folder of an implementation tree: `src/` or `solutions/`. */
export function implDir(impl: Impl = selectedImpl()): string {
  return path.join(repoRoot, impl === 'reference' ? 'solutions' : 'src');
}
