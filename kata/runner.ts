/**
 * Runs the graded checks of some lessons in one vitest process and reads its
 * JSON report (jest-compatible: `testResults[].assertionResults[]`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { IMPL_ENV, repoRoot, type Impl } from './impl-switch.js';
import { hasTestFile, type Lesson } from './lessons.js';

/** The outcome of one graded check. `skipped` also covers `todo` and `pending`. */
export interface CheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The failure message, ANSI removed, stack frames kept (see `teachingMessage`). */
  message?: string;
}

/** The checks of one run, by lesson id. A lesson without a test file is absent. */
export type RunResults = Map<string, CheckResult[]>;

/** What one vitest run produced. */
export type RunOutcome =
  | { ok: true; results: RunResults }
  | { ok: false; exitCode: number | null; output: string };

/** Options of {@link runChecks}. */
export interface CheckRunOptions {
  impl: Impl;
  /** Called with a short progress line before the run starts (the caller decides whether to show it). */
  onStart?: (lessons: Lesson[]) => void;
  env?: NodeJS.ProcessEnv;
}

/** Where vitest's entry script is: the root's own node_modules, else the one beside this tool. */
export function vitestEntry(root: string): string {
  for (const base of [root, repoRoot]) {
    const entry = path.join(base, 'node_modules', 'vitest', 'vitest.mjs');
    if (fs.existsSync(entry)) return entry;
  }
  throw new Error('vitest is not installed: run npm install');
}

/**
 * Runs the checks of the given lessons (those with a test file) in one vitest
 * process with cwd = root, so the root's vitest.config.ts applies.
 * Lessons without a test file get no entry. A vitest run that writes no JSON
 * report (a crash, a broken config) is `{ ok: false }` with vitest's output.
 */
export async function runChecks(root: string, lessons: Lesson[], options: CheckRunOptions): Promise<RunOutcome> {
  const runnable = lessons.filter((l) => hasTestFile(root, l));
  if (runnable.length === 0) return { ok: true, results: new Map() };
  options.onStart?.(runnable);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-run-'));
  const outFile = path.join(tmp, 'report.json');
  try {
    // The dot reporter is never shown; it is there because only it prints unhandled errors.
    const args = [vitestEntry(root), 'run', '--reporter=json', '--reporter=dot', `--outputFile.json=${outFile}`, ...runnable.map((l) => l.testFile)];
    const env = { ...(options.env ?? process.env), [IMPL_ENV]: options.impl };
    const { code, output, stderr } = await spawnCollect(process.execPath, args, root, env);
    let raw: string;
    try {
      raw = fs.readFileSync(outFile, 'utf8');
    } catch {
      return { ok: false, exitCode: code, output };
    }
    const results = parseReport(JSON.parse(raw) as VitestJsonReport, runnable);
    addUnhandledErrors(results, unhandledErrors(stderr), runnable);
    return { ok: true, results };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function spawnCollect(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const all: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => all.push(c));
    child.stderr.on('data', (c: Buffer) => (all.push(c), err.push(c)));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, output: Buffer.concat(all).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

/** An error vitest caught outside any check (a late throw, an unhandled rejection). */
export interface UnhandledError {
  message: string;
  /** The test file it is attributed to, relative to the root, when vitest says. */
  file?: string;
}

const UNHANDLED_HEADER = /^⎯+\s*(?:Uncaught Exception|Unhandled Rejection|Unhandled Error)\s*⎯+\s*$/m;

/** Reads the unhandled errors from vitest's human output (the JSON report leaves them out). */
export function unhandledErrors(stderr: string): UnhandledError[] {
  const text = stripVTControlCharacters(stderr);
  return text
    .split(UNHANDLED_HEADER)
    .slice(1)
    .map((block) => {
      const error: UnhandledError = { message: block.trim().split('\n')[0]?.trim() || 'unhandled error' };
      const file = /originated in "([^"]+)"/.exec(block)?.[1];
      if (file) error.file = file;
      return error;
    });
}

/**
 * Turns unhandled errors into one failed check per lesson (vitest fails the
 * run for them), on the lesson vitest names, else on the first lesson that ran.
 * A lesson that already has a failing check gets none: the error most likely
 * comes from the same unfinished code, and its check count stays stable.
 */
export function addUnhandledErrors(results: RunResults, errors: UnhandledError[], lessons: Lesson[]): void {
  const byLesson = new Map<Lesson, UnhandledError[]>();
  for (const error of errors) {
    const lesson = lessons.find((l) => error.file && path.basename(error.file) === path.basename(l.testFile)) ?? lessons[0];
    if (lesson) byLesson.set(lesson, [...(byLesson.get(lesson) ?? []), error]);
  }
  for (const [lesson, found] of byLesson) {
    const checks = results.get(lesson.id) ?? [];
    if (checks.some((c) => c.status === 'failed')) continue;
    const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
    checks.push({
      name: `no unhandled error while lesson ${lesson.id}'s checks run`,
      status: 'failed',
      message: `${found[0]?.message ?? 'unhandled error'}${more}\nan error escaped the checks, e.g. a callback or promise of your code that throws later: npx vitest run ${lesson.testFile} shows where`,
    });
    results.set(lesson.id, checks);
  }
}

/** The parts of vitest's JSON report the tool reads. */
export interface VitestJsonReport {
  testResults?: Array<{
    name: string;
    status?: string;
    message?: string;
    assertionResults?: Array<{
      title: string;
      ancestorTitles?: string[];
      status: string;
      failureMessages?: string[];
    }>;
  }>;
}

/**
 * Turns a vitest JSON report into checks per lesson, matching files to lessons
 * by file name. A file that failed to load (or whose hooks failed) adds one
 * failed check carrying vitest's message, so it can never pass silently.
 */
export function parseReport(report: VitestJsonReport, lessons: Lesson[]): RunResults {
  const results: RunResults = new Map();
  for (const file of report.testResults ?? []) {
    const lesson = lessons.find((l) => path.basename(l.testFile) === path.basename(file.name));
    if (!lesson) continue;
    const checks = results.get(lesson.id) ?? [];
    const assertions = file.assertionResults ?? [];
    const common = commonPrefix(assertions.map((a) => a.ancestorTitles ?? []));
    for (const a of assertions) {
      // A describe() around the whole file repeats the lesson's name: only inner groups are kept.
      const name = [...(a.ancestorTitles ?? []).slice(common), a.title].filter(Boolean).join(' › ');
      if (a.status === 'passed') checks.push({ name, status: 'passed' });
      else if (a.status === 'failed') {
        checks.push({ name, status: 'failed', message: clean((a.failureMessages ?? []).join('\n')) });
      } else checks.push({ name, status: 'skipped' });
    }
    const fileMessage = clean(file.message ?? '');
    if (file.status === 'failed' && fileMessage) {
      const loaded = (file.assertionResults ?? []).length > 0;
      checks.push({
        name: loaded ? `${lesson.testFile} finishes its setup and cleanup` : `${lesson.testFile} loads`,
        status: 'failed',
        message: fileMessage,
      });
    }
    results.set(lesson.id, checks);
  }
  return results;
}

function commonPrefix(lists: string[][]): number {
  const [first, ...rest] = lists;
  if (!first) return 0;
  let n = 0;
  while (n < first.length && rest.every((l) => l[n] === first[n])) n += 1;
  return n;
}

function clean(text: string): string {
  return stripVTControlCharacters(text).trim();
}

/**
 * The part of a failure message a learner should read: the first lines without
 * the error-class prefix, without stack frames, long lines and long diffs cut.
 */
export function teachingMessage(message: string | undefined, maxLines = 6, maxWidth = 300): string[] {
  if (!message) return [];
  const lines: string[] = [];
  for (const raw of stripVTControlCharacters(message).split('\n')) {
    if (/^\s*at\s/.test(raw) || /^\s*❯\s/.test(raw)) break;
    const line = raw.replace(/\s*\/\/ Object\.is equality\s*$/, '').replace(/\s+$/, '').replace(/^(AssertionError|Error|TypeError|RangeError|NotImplementedError|\w+Error): /, '');
    if (line === '' && (lines.length === 0 || lines[lines.length - 1] === '')) continue;
    lines.push(line.length > maxWidth ? `${line.slice(0, maxWidth - 1)}…` : line);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > maxLines) return [...lines.slice(0, maxLines), '…'];
  return lines;
}
