/**
 * Proves that the graded checks grade what they should (a CI step, for maintainers).
 *
 * 1. On the untouched `src/`, no graded check passes.
 * 2. For each lesson N, in a scratch copy of the repository whose `src/` holds
 *    the reference for every lesson except N (which keeps its stubs), no check
 *    of lesson N passes: each lesson's checks depend on that lesson's own code,
 *    not only on the lessons before it.
 * 3. For each lesson N, in a scratch copy whose `src/` holds the reference for
 *    lessons 00 to N and the stubs of every later lesson, no check of lesson N
 *    fails: a learner who has done the lessons in order sees lesson N pass,
 *    whatever the later lessons' files still hold.
 *
 * Prints one line per lesson and exits 1 on any check that passes or fails where it must not.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './impl-switch.js';

interface JsonReport {
  testResults: Array<{ name: string; status: string; message: string; assertionResults: Array<{ fullName: string; status: string; failureMessages?: string[] }> }>;
}

interface LessonMeta {
  id: string;
  dir: string;
  files: string[];
}

function lessons(): LessonMeta[] {
  return fs
    .readdirSync(path.join(repoRoot, 'lessons'))
    .filter((d) => /^\d\d-/.test(d) && fs.existsSync(path.join(repoRoot, 'lessons', d, 'lesson.json')))
    .sort()
    .map((d) => {
      const meta = JSON.parse(fs.readFileSync(path.join(repoRoot, 'lessons', d, 'lesson.json'), 'utf8')) as { files: string[] };
      return { id: d.slice(0, 2), dir: d, files: meta.files };
    });
}

/**
 * Runs vitest in `root` on the given test files; returns the names of the
 * checks that ended with `status`. A file that failed outside its checks
 * (it did not load, a hook threw) counts as one failed check.
 */
function checksThat(status: 'passed' | 'failed', root: string, testFiles: string[]): string[] {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dockerlings-prove-')), 'report.json');
  const env = { ...process.env };
  delete env.DOCKERLINGS_IMPL;
  const run = spawnSync(path.join(root, 'node_modules', '.bin', 'vitest'), ['run', '--reporter=json', `--outputFile=${out}`, ...testFiles], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (!fs.existsSync(out)) throw new Error(`vitest produced no report in ${root}:\n${run.stderr}`);
  const report = JSON.parse(fs.readFileSync(out, 'utf8')) as JsonReport;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return report.testResults.flatMap((f) => {
    // A check that fails where it must pass says why (its first line), so a CI log shows the cause.
    const why = (a: { failureMessages?: string[] }) => (status === 'failed' && a.failureMessages?.[0] ? `\n      ${a.failureMessages[0].split('\n')[0]}` : '');
    const named = f.assertionResults.filter((a) => a.status === status).map((a) => `${a.fullName}${why(a)}`);
    const unnamed = status === 'failed' && f.status === 'failed' && named.length === 0 ? [`${f.name}: ${f.message}`] : [];
    return [...named, ...unnamed];
  });
}

/**
 * A scratch copy of the repository whose `src/` holds the reference, except
 * for the files of `stubbed` lessons, which keep their stubs. Sources only:
 * node_modules is linked, and there is no dist/, so the executables run these sources.
 */
function scratchCopy(stubbed: LessonMeta[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerlings-scratch-'));
  for (const entry of fs.readdirSync(repoRoot)) {
    // No history, progress, reports, builds, built images or benchmark inputs.
    if (['.git', '.kata', 'reports', 'dist', 'images', '.bench-cache', 'src'].includes(entry)) continue;
    if (entry === 'node_modules') fs.symlinkSync(path.join(repoRoot, entry), path.join(dir, entry));
    else fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  }
  fs.cpSync(path.join(repoRoot, 'solutions'), path.join(dir, 'src'), { recursive: true });
  for (const lesson of stubbed) {
    for (const f of lesson.files) fs.copyFileSync(path.join(repoRoot, 'src', f), path.join(dir, 'src', f));
  }
  return dir;
}

/** Runs `prove` in a scratch copy with the `stubbed` lessons' stubs; returns how many checks it reports. */
function inScratch(stubbed: LessonMeta[], prove: (scratch: string) => number): number {
  const scratch = scratchCopy(stubbed);
  try {
    return prove(scratch);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

let failures = 0;
const all = lessons();
const testFile = (l: LessonMeta) => path.join('test', 'lessons', `${l.dir}.test.ts`);

const onStubs = checksThat('passed', repoRoot, all.map(testFile));
console.log(`untouched src/: ${onStubs.length} checks pass`);
for (const name of onStubs) console.log(`  passes on the stubs: ${name}`);
failures += onStubs.length;

for (const lesson of all) {
  failures += inScratch([lesson], (scratch) => {
    const passing = checksThat('passed', scratch, [testFile(lesson)]);
    console.log(`lesson ${lesson.id} stubbed, every other lesson solved: ${passing.length} of its checks pass`);
    for (const name of passing) console.log(`  passes without lesson ${lesson.id}'s code: ${name}`);
    return passing.length;
  });
}

all.forEach((lesson, i) => {
  failures += inScratch(all.slice(i + 1), (scratch) => {
    const failing = checksThat('failed', scratch, [testFile(lesson)]);
    console.log(`lessons 00–${lesson.id} solved, later lessons stubbed: ${failing.length} of lesson ${lesson.id}'s checks fail`);
    for (const name of failing) console.log(`  fails until a later lesson is done: ${name}`);
    return failing.length;
  });
});

if (failures > 0) {
  console.error(`${failures} graded checks pass without the code they grade, or fail with it`);
  process.exit(1);
}
console.log('every graded check fails without the code it grades, and passes once the lessons up to its own are done');
