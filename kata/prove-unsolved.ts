/**
 * Proves that the graded checks grade something (a CI step, for maintainers).
 *
 * 1. On the untouched `src/`, no graded check passes.
 * 2. For each lesson N, in a scratch copy of the repository whose `src/` holds
 *    the reference for every lesson except N (which keeps its stubs), no check
 *    of lesson N passes: each lesson's checks depend on that lesson's own code,
 *    not only on the lessons before it.
 *
 * Prints one line per lesson and exits 1 on any check that passes where it must not.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './impl.js';

interface JsonReport {
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
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

/** Runs vitest in `root` on the given test files; returns the names of the checks that passed. */
function passingChecks(root: string, testFiles: string[]): string[] {
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
  return report.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'passed').map((a) => a.fullName));
}

/** A scratch copy of the repository (sources only; node_modules is linked). */
function scratchCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerlings-scratch-'));
  for (const entry of fs.readdirSync(repoRoot)) {
    // Sources only: no history, progress, reports, built images or benchmark inputs.
    if (['.git', '.kata', 'reports', 'images', '.bench-cache'].includes(entry)) continue;
    if (entry === 'node_modules') fs.symlinkSync(path.join(repoRoot, entry), path.join(dir, entry));
    else fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

let failures = 0;
const all = lessons();
const testFile = (l: LessonMeta) => path.join('test', 'lessons', `${l.dir}.test.ts`);

const onStubs = passingChecks(repoRoot, all.map(testFile));
console.log(`untouched src/: ${onStubs.length} checks pass`);
for (const name of onStubs) console.log(`  passes on the stubs: ${name}`);
failures += onStubs.length;

for (const lesson of all) {
  const scratch = scratchCopy();
  try {
    fs.rmSync(path.join(scratch, 'src'), { recursive: true });
    fs.cpSync(path.join(repoRoot, 'solutions'), path.join(scratch, 'src'), { recursive: true });
    for (const f of lesson.files) fs.copyFileSync(path.join(repoRoot, 'src', f), path.join(scratch, 'src', f));
    const passing = passingChecks(scratch, [testFile(lesson)]);
    console.log(`lesson ${lesson.id} stubbed, every other lesson solved: ${passing.length} of its checks pass`);
    for (const name of passing) console.log(`  passes without lesson ${lesson.id}'s code: ${name}`);
    failures += passing.length;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (failures > 0) {
  console.error(`${failures} graded checks pass without the code they grade`);
  process.exit(1);
}
console.log('every graded check fails without the code it grades');
