/**
 * The workshop tool's actions. Each subcommand is one function here, and the
 * menu calls the same functions. Every action returns its exit status.
 */
import path from 'node:path';
import type { Ctx } from './context.js';
import { lessonDiff, lessonLastPassed } from './diff.js';
import { buildGradeReport, formatGradeSummary, writeGradeReport } from './grade.js';
import { readHints, revealNextHint } from './hints.js';
import { discoverLessons, findLesson, hasTestFile, lessonName, rangeLabel, selectLessons, treeName, type Lesson } from './lessons.js';
import { evaluateLessons, type Evaluation } from './progress.js';
import { formatReport, formatStatusLines } from './reporter.js';
import { resetLesson } from './reset.js';
import { loadState } from './state.js';
import { runSucceeded, type LessonSummary } from './status.js';
import { PROVIDED_MARK, loadStubs, snapshotStubs, unmarkedProvidedFiles, verifyStubs } from './stubs.js';
import { watchLesson, watchedFiles } from './watch.js';

/** The lessons of the context's root, in order. */
export function lessonsOf(ctx: Ctx): Lesson[] {
  return discoverLessons(ctx.root);
}

/** Evaluates lessons, showing a transient "checking lessons …" line on a terminal only. */
async function evaluate(ctx: Ctx, lessons: Lesson[], useCache: boolean): Promise<Evaluation> {
  const tty = Boolean(ctx.err.isTTY);
  let shown = false;
  const result = await evaluateLessons(ctx.root, lessons, {
    impl: ctx.impl,
    useCache,
    onStart: (running) => {
      if (!tty) return;
      const what = running.length === 1 ? 'lesson' : 'lessons';
      ctx.err.write(ctx.chalk.dim(`checking ${what} ${rangeLabel(running)}${ctx.impl === 'reference' ? ' (reference)' : ''} …`));
      shown = true;
    },
  });
  if (shown) ctx.err.write('\r\x1b[K');
  return result;
}

function reportCrash(ctx: Ctx, run: { exitCode: number | null; output: string }): number {
  ctx.err.write(run.output.endsWith('\n') || run.output === '' ? run.output : `${run.output}\n`);
  ctx.err.write(ctx.chalk.red(`vitest stopped without a report (exit ${run.exitCode ?? 'signal'}): the checks could not run.\n`));
  return 1;
}

/** `test [NN…]`: runs the checks of the selected lessons (all by default) and prints the progress report. */
export async function testAction(ctx: Ctx, ids: string[]): Promise<number> {
  const all = lessonsOf(ctx);
  const selected = selectLessons(all, ids);
  if (selected.length === 0) {
    ctx.out.write('No lessons found under lessons/.\n');
    return 1;
  }
  const result = await evaluate(ctx, selected, false);
  if (!result.ok) return reportCrash(ctx, result);
  ctx.out.write(formatReport(result.summaries, { impl: ctx.impl, chalk: ctx.chalk, allLessons: all }));
  return runSucceeded(result.summaries) ? 0 : 1;
}

/** `check NN`: the test run of one lesson (its result is recorded for the list and the diff gate). */
export function checkAction(ctx: Ctx, id: string): Promise<number> {
  return testAction(ctx, [id]);
}

/** Status of every lesson, reusing cached results; undefined when vitest crashed (already reported). */
export async function lessonStatuses(ctx: Ctx): Promise<LessonSummary[] | undefined> {
  const result = await evaluate(ctx, lessonsOf(ctx), true);
  if (!result.ok) {
    reportCrash(ctx, result);
    return undefined;
  }
  return result.summaries;
}

/** `list`: one status line per lesson and where to go next. */
export async function listAction(ctx: Ctx): Promise<number> {
  const summaries = await lessonStatuses(ctx);
  if (!summaries) return 1;
  if (summaries.length === 0) {
    ctx.out.write('No lessons found under lessons/.\n');
    return 0;
  }
  const lines = formatStatusLines(summaries, ctx.chalk);
  const first = summaries.find((s) => s.first);
  lines.push('');
  if (first) lines.push(`Next: lesson ${first.lesson.id} — ${lessonName(first.lesson)} (npm start -- info ${first.lesson.id})`);
  else if (summaries.every((s) => s.status === 'passed')) lines.push(ctx.chalk.green('✓ Every lesson passes. Well done!'));
  ctx.out.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `hint NN`: reveals the next hint and prints every hint revealed so far. */
export function hintAction(ctx: Ctx, id: string): number {
  const lesson = findLesson(lessonsOf(ctx), id);
  const { revealed, total, revealedNew } = revealNextHint(ctx.root, lesson);
  if (total === 0) {
    ctx.out.write(`Lesson ${lesson.id} has no hints (${lesson.dir}/hints.md).\n`);
    return 0;
  }
  const c = ctx.chalk;
  ctx.out.write(`${c.bold(`Hints for lesson ${lesson.id} — ${lessonName(lesson)}`)} (${revealed.length}/${total} revealed)\n`);
  revealed.forEach((hint, i) => {
    const isNew = revealedNew && i === revealed.length - 1;
    ctx.out.write(`\n${c.cyan(`${hint.title}${isNew ? ' (new)' : ''}`)}\n${hint.body}\n`);
  });
  ctx.out.write(
    revealed.length < total
      ? c.dim(`\n${total - revealed.length} more hint(s): npm start -- hint ${lesson.id}\n`)
      : c.dim(`\nThat was the last hint. The README's Background and Further reading sections go deeper.\n`),
  );
  return 0;
}

/** `info NN`: where the README, the files to edit and the checks are, and how to check. */
export function infoAction(ctx: Ctx, id: string): number {
  const lesson = findLesson(lessonsOf(ctx), id);
  const tree = treeName(ctx.impl);
  const revealed = Math.min(loadState(ctx.root).hints[lesson.id] ?? 0, readHints(ctx.root, lesson).length);
  const lines = [
    ctx.chalk.bold(`Lesson ${lesson.id} — ${lesson.title}`),
    ...(lesson.summary ? [lesson.summary] : []),
    '',
    `README         ${lesson.dir}/README.md`,
    `files to edit  ${lesson.files.length > 0 ? lesson.files.map((f) => `${tree}/${f}`).join('\n               ') : '(none)'}`,
    `graded checks  ${lesson.testFile}${hasTestFile(ctx.root, lesson) ? '' : ' (not written yet)'}`,
    `check it       npm test -- ${lesson.id}`,
    `hints          npm start -- hint ${lesson.id} (${revealed}/${readHints(ctx.root, lesson).length} revealed)`,
  ];
  ctx.out.write(`${lines.join('\n')}\n`);
  return 0;
}

/** `reset NN [--yes]`: backs the learner's files up, then restores the stubs. */
export async function resetAction(ctx: Ctx, id: string, yes: boolean): Promise<number> {
  const lesson = findLesson(lessonsOf(ctx), id);
  if (!yes) {
    if (!ctx.interactive) {
      ctx.err.write(`Refusing to reset lesson ${lesson.id} without confirmation: run npm start -- reset ${lesson.id} --yes\n`);
      return 1;
    }
    const files = lesson.files.map((f) => `src/${f}`).join(', ');
    if (!(await ctx.confirm(`Reset ${files} to the stubs? (your version is backed up first)`))) {
      ctx.out.write('Nothing was changed.\n');
      return 0;
    }
  }
  const result = resetLesson(ctx.root, lesson, loadStubs(ctx.root));
  if (result.alreadyStub) {
    ctx.out.write(`Lesson ${lesson.id}'s files already are the stubs: nothing to reset.\n`);
    return 0;
  }
  if (result.backupDir) ctx.out.write(`Your version is saved in ${result.backupDir}/\n`);
  ctx.out.write(`Restored the stubs of ${result.restored.map((f) => `src/${f}`).join(', ')}.\n`);
  return 0;
}

/** `diff NN [--force]`: the reference diff, once the lesson passed or on explicit request. */
export async function diffAction(ctx: Ctx, id: string, force: boolean): Promise<number> {
  const lesson = findLesson(lessonsOf(ctx), id);
  if (!force && !lessonLastPassed(loadState(ctx.root), lesson)) {
    const why = `Lesson ${lesson.id} has not passed yet, so the reference stays hidden.`;
    if (!ctx.interactive) {
      ctx.err.write(`${why} Pass it first (npm test -- ${lesson.id}), or see it anyway: npm start -- diff ${lesson.id} --force\n`);
      return 1;
    }
    if (!(await ctx.confirm(`${why} Show me anyway?`))) return 0;
  }
  const diff = lessonDiff(ctx.root, lesson, ctx.chalk.level > 0);
  ctx.out.write(diff === '' ? `src/ and solutions/ agree on lesson ${lesson.id}'s files.\n` : diff);
  return 0;
}

/** `grade [--out DIR]`: runs every lesson and writes grade.json and junit.xml. */
export async function gradeAction(ctx: Ctx, outDir = 'reports'): Promise<number> {
  const lessons = lessonsOf(ctx);
  const result = await evaluate(ctx, lessons, false);
  if (!result.ok) return reportCrash(ctx, result);
  const report = buildGradeReport(result.summaries, ctx.impl);
  const dir = path.resolve(ctx.root, outDir);
  const paths = writeGradeReport(report, dir);
  ctx.out.write(formatGradeSummary(report));
  ctx.out.write(`\nwrote ${shortPath(paths.json)}\nwrote ${shortPath(paths.junit)}\n`);
  return 0;
}

/** A path relative to the working directory when it is inside it, else absolute. */
function shortPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** `watch NN`: checks the lesson on every save until the signal aborts (Ctrl-C). */
export async function watchAction(ctx: Ctx, id: string, signal: AbortSignal): Promise<number> {
  const lesson = findLesson(lessonsOf(ctx), id);
  ctx.out.write(ctx.chalk.dim(`Watching lesson ${lesson.id}'s files; Ctrl-C stops.\n`));
  await watchLesson(watchedFiles(ctx.root, lesson, ctx.impl), {
    signal,
    run: async () => {
      ctx.out.write(ctx.chalk.dim(`\n— ${new Date().toLocaleTimeString()} —\n`));
      await testAction(ctx, [lesson.id]);
    },
  });
  return 0;
}

/** `snapshot-stubs` (maintainers): writes kata/stubs.json from the current src/. */
export function snapshotStubsAction(ctx: Ctx): number {
  const { files, warnings } = snapshotStubs(ctx.root, lessonsOf(ctx));
  for (const w of warnings) ctx.err.write(`warning: ${w}\n`);
  ctx.out.write(`kata/stubs.json holds ${files.length} stub file(s).\n`);
  return 0;
}

/**
 * `verify-stubs` (maintainers, CI): exit 1 when src/ and kata/stubs.json disagree,
 * or when a file no lesson lists does not say in its first comment that it is provided.
 */
export function verifyStubsAction(ctx: Ctx): number {
  const lessons = lessonsOf(ctx);
  const problems = verifyStubs(ctx.root, lessons);
  const unmarked = unmarkedProvidedFiles(ctx.root, lessons);
  if (problems.length === 0 && unmarked.length === 0) {
    ctx.out.write('src/ holds the untouched stubs of every lesson, and every provided file says so.\n');
    return 0;
  }
  for (const p of problems) ctx.err.write(`src/${p.file} ${p.problem}\n`);
  if (problems.length > 0) ctx.err.write('If the stubs changed on purpose, regenerate the snapshot: npm start -- snapshot-stubs\n');
  for (const file of unmarked) {
    ctx.err.write(`${file} is provided (no lesson.json lists it) but its first comment does not say so\n`);
  }
  if (unmarked.length > 0) {
    ctx.err.write(`Start each of them with a comment containing "${PROVIDED_MARK}: <what it is for>", or list it in the lesson.json of the lesson that owns it.\n`);
  }
  return 1;
}
