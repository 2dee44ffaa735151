/**
 * The progress reporter of `npm test` and the status list of `npm start`.
 *
 * ```
 * ✓ 00 welcome            9/9
 * ▸ 01 client transport   3/12
 * ○ 02 client commands    0/11 not started
 *
 * Next: lesson 01 — client transport
 *   ✗ request() sends the versioned path
 *       expected '/v1.41/_ping' … look at src/client/engine-client.ts
 *
 * What to do:
 *   open  lessons/01-client-transport/README.md
 *   edit  src/client/engine-client.ts
 *   check npm test -- 01
 *   hint  npm start -- hint 01
 *
 * checks: 12 passed, 20 failed
 * ```
 */
import type { ChalkInstance } from 'chalk';
import type { Impl } from './impl-switch.js';
import { lessonName, treeName, type Lesson } from './lessons.js';
import { teachingMessage } from './runner.js';
import type { LessonSummary } from './status.js';

/** How many failing checks of the next lesson are spelled out. */
export const MAX_FAILURES_SHOWN = 6;

/** The symbol of a lesson's line. */
export function statusSymbol(s: LessonSummary, c: ChalkInstance): string {
  if (s.first) return c.yellow('▸');
  switch (s.status) {
    case 'passed':
      return c.green('✓');
    case 'failing':
      return c.red('✗');
    case 'not-started':
      return c.dim('○');
    default:
      return c.dim('–');
  }
}

/** One line per lesson: symbol, number, name, passed/total (skipped excluded), a note. */
export function formatStatusLines(summaries: LessonSummary[], c: ChalkInstance): string[] {
  const width = Math.max(0, ...summaries.map((s) => lessonName(s.lesson).length)) + 2;
  return summaries.map((s) => {
    const ran = s.passed + s.failed;
    const notes: string[] = [];
    if (s.status === 'not-started') notes.push('not started');
    if (s.status === 'no-checks') notes.push('no graded checks yet');
    if (s.skipped > 0) notes.push(`${s.skipped} skipped`);
    const score = s.status === 'no-checks' ? '   ' : `${s.passed}/${ran}`;
    const name = lessonName(s.lesson).padEnd(width);
    const line = `${statusSymbol(s, c)} ${s.lesson.id} ${s.first ? c.bold(name) : name} ${score.padStart(5)}`;
    return notes.length > 0 ? `${line} ${c.dim(notes.join(', '))}` : line;
  });
}

/** The commands that move the learner forward on one lesson. */
export function nextSteps(s: LessonSummary, impl: Impl): string[] {
  const l = s.lesson;
  const files = l.files.map((f) => `${treeName(impl)}/${f}`);
  const steps = [`open  ${l.dir}/README.md`];
  if (files.length > 0) steps.push(`edit  ${files.join(', ')}`);
  steps.push(`check npm test -- ${l.id}`);
  steps.push(`hint  npm start -- hint ${l.id}`);
  return steps;
}

/** Options of {@link formatReport}. */
export interface ReportOptions {
  impl: Impl;
  chalk: ChalkInstance;
  /** Every lesson, to point at the one after the selection when the selection passes. */
  allLessons?: Lesson[];
}

/** The whole `npm test` report: lesson lines, the next lesson's failures and next steps, a closing count line. */
export function formatReport(summaries: LessonSummary[], options: ReportOptions): string {
  const c = options.chalk;
  const out = [...formatStatusLines(summaries, c), ''];
  for (const s of summaries) {
    if (s.lesson.problem) out.push(c.yellow(`warning: ${s.lesson.problem}`));
  }
  const first = summaries.find((s) => s.first);
  if (first) {
    out.push(c.bold(`Next: lesson ${first.lesson.id} — ${lessonName(first.lesson)}`));
    const failing = (first.checks ?? []).filter((ch) => ch.status === 'failed');
    for (const check of failing.slice(0, MAX_FAILURES_SHOWN)) {
      out.push(`  ${c.red('✗')} ${check.name}`);
      for (const line of teachingMessage(check.message)) out.push(`      ${c.dim(line)}`);
    }
    if (failing.length > MAX_FAILURES_SHOWN) {
      out.push(c.dim(`  … and ${failing.length - MAX_FAILURES_SHOWN} more failing checks`));
    }
    out.push('', 'What to do:', ...nextSteps(first, options.impl).map((step) => `  ${step}`), '');
  } else if (runPassed(summaries)) {
    const ids = summaries.filter((s) => s.status === 'passed').map((s) => s.lesson.id);
    const label = ids.length === 1 ? `lesson ${ids[0]}` : `${ids.length} lessons`;
    out.push(c.green(`✓ Every check passes in ${label}. Well done!`));
    const lastId = summaries[summaries.length - 1]?.lesson.id ?? '';
    const after = options.allLessons?.find((l) => l.id > lastId);
    if (after) out.push(`Next: lesson ${after.id} — ${lessonName(after)}: open ${after.dir}/README.md, then npm test -- ${after.id}`);
    out.push('');
  } else if (summaries.every((s) => s.total === 0)) {
    out.push('No graded checks were found for the selected lessons.', '');
  }
  const skipped = summaries.reduce((n, s) => n + s.skipped, 0);
  if (skipped > 0) {
    out.push(c.dim(`${skipped} check(s) skipped: a tool they need is not installed (required with CI=true), or they need root.`));
  }
  out.push(countLine(summaries));
  return `${out.join('\n')}\n`;
}

function runPassed(summaries: LessonSummary[]): boolean {
  return summaries.some((s) => s.passed > 0) && summaries.every((s) => s.failed === 0);
}

/** The closing line: `checks: 12 passed, 3 failed` (`, 2 skipped` when any were). */
export function countLine(summaries: LessonSummary[]): string {
  const sum = (k: 'passed' | 'failed' | 'skipped') => summaries.reduce((n, s) => n + s[k], 0);
  const skipped = sum('skipped');
  return `checks: ${sum('passed')} passed, ${sum('failed')} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}
