/**
 * Tiny throwaway repositories for the workshop tool's tests:
 *
 * ```
 * <tmp>/
 *   package.json          { "type": "module" }
 *   node_modules -> this checkout's node_modules
 *   vitest.config.ts      #kata/* → src/ or solutions/ by DOCKERLINGS_IMPL
 *   lessons/NN-slug/      lesson.json, README.md, hints.md
 *   src/ solutions/       the lesson files
 *   test/lessons/         NN-slug.test.ts
 *   kata/stubs.json       snapshot of src/ (when asked)
 * ```
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Chalk } from 'chalk';
import { repoRoot } from '../impl-switch.js';
import type { Ctx } from '../context.js';
import type { Lesson } from '../lessons.js';

/** One lesson of a fixture. */
export interface FixtureLesson {
  id: string;
  slug: string;
  title?: string;
  /** Path relative to the tree → content in src/ (the stub). */
  src: Record<string, string>;
  /** Path relative to the tree → content in solutions/. */
  solutions?: Record<string, string>;
  /** The graded-check file; no file when absent. */
  test?: string;
  hints?: string;
}

const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const here = path.dirname(fileURLToPath(import.meta.url));
const tree = process.env.DOCKERLINGS_IMPL === 'reference' ? 'solutions' : 'src';
export default defineConfig({
  resolve: { alias: [{ find: /^#kata\\/(.*)$/, replacement: path.join(here, tree) + '/$1' }] },
  test: { include: ['test/lessons/**/*.test.ts'] },
});
`;

/** Creates a fixture repository; remove it with `fs.rmSync(root, { recursive: true, force: true })`. */
export function makeFixture(lessons: FixtureLesson[], options: { stubs?: boolean } = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-fixture-'));
  const write = (rel: string, content: string): void => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  };
  write('package.json', '{ "type": "module" }\n');
  write('vitest.config.ts', VITEST_CONFIG);
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const stubs: Record<string, string> = {};
  for (const l of lessons) {
    const dir = `lessons/${l.id}-${l.slug}`;
    write(`${dir}/lesson.json`, JSON.stringify({ title: l.title ?? l.slug, summary: `Lesson ${l.id}.`, files: Object.keys(l.src) }));
    write(`${dir}/README.md`, `# ${l.slug}\n`);
    if (l.hints !== undefined) write(`${dir}/hints.md`, l.hints);
    for (const [file, content] of Object.entries(l.src)) {
      write(`src/${file}`, content);
      stubs[file] = content;
    }
    for (const [file, content] of Object.entries(l.solutions ?? {})) write(`solutions/${file}`, content);
    if (l.test !== undefined) write(`test/lessons/${l.id}-${l.slug}.test.ts`, l.test);
  }
  if (options.stubs !== false) write('kata/stubs.json', `${JSON.stringify(stubs, null, 2)}\n`);
  return root;
}

/** The adder lesson: one check that always passes, one that needs the solution. */
export const ADDER: FixtureLesson = {
  id: '01',
  slug: 'adder',
  title: 'Adding numbers',
  src: {
    'adder.ts': 'export function add(a: number, b: number): number {\n  // TODO(lesson-01): return the sum\n  return a - a + b - b;\n}\n',
  },
  solutions: { 'adder.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n' },
  test: `import { expect, it } from 'vitest';
import { add } from '#kata/adder.js';
it('the module exports add', () => { expect(typeof add, 'export add from src/adder.ts').toBe('function'); });
it('add sums two numbers', () => { expect(add(1, 2), 'add(1, 2) should be 3: look at add in src/adder.ts').toBe(3); });
`,
  hints: '# Hints\n\n## Hint 1\n\nUse the plus operator.\n\n## Hint 2\n\nreturn a + b;\n',
};

/** A lesson with no graded checks yet. */
export const LATER: FixtureLesson = {
  id: '02',
  slug: 'later-lesson',
  src: { 'later.ts': '// TODO(lesson-02): write me\nexport {};\n' },
  solutions: { 'later.ts': 'export {};\n' },
};

/** A context writing into strings, with no colours. */
export function testCtx(root: string, overrides: Partial<Ctx> = {}): Ctx & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    root,
    impl: 'learner',
    out: { write: (t: string) => (out += t) },
    err: { write: (t: string) => (err += t) },
    chalk: new Chalk({ level: 0 }),
    interactive: false,
    confirm: async () => false,
    ...overrides,
    stdout: () => out,
    stderr: () => err,
  };
}

/** A lesson object without touching the disk. */
export function lessonOf(id: string, slug: string, files: string[] = []): Lesson {
  return { id, slug, dir: `lessons/${id}-${slug}`, title: slug, summary: '', files, testFile: `test/lessons/${id}-${slug}.test.ts` };
}
