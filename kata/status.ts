/**
 * Status logic: from check results to what the learner sees for each lesson.
 *
 * - passed: every non-skipped check passed and at least one did;
 * - not started: the lesson's files are byte-identical to the stubs and no check passes;
 * - failing: anything else with at least one non-skipped check;
 * - skipped: every check was skipped (a tool it needs is missing);
 * - no checks: the lesson has no graded checks (yet).
 *
 * The first lesson that is failing or not started is "the first unfinished" (▸).
 */
import type { CheckResult } from './runner.js';
import type { Lesson } from './lessons.js';

/** What a lesson's line says. */
export type LessonStatus = 'passed' | 'failing' | 'not-started' | 'skipped' | 'no-checks';

/** Check counts of one lesson; `total` counts skipped checks too. */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

/** One lesson with its counts, status, and (when freshly run) its checks. */
export interface LessonSummary extends Counts {
  lesson: Lesson;
  status: LessonStatus;
  /** True for the first lesson that is failing or not started. */
  first: boolean;
  /** The individual checks; absent when the counts came from the cache. */
  checks?: CheckResult[];
  /** True when the counts were reused from the state file. */
  cached?: boolean;
}

/** Counts the checks by outcome. */
export function countChecks(checks: CheckResult[]): Counts {
  const c = { passed: 0, failed: 0, skipped: 0, total: checks.length };
  for (const check of checks) c[check.status] += 1;
  return c;
}

/**
 * The status of one lesson from its counts.
 * @param untouched whether the lesson's files are still the stubs (see stubs.ts `isUntouched`).
 */
export function lessonStatus(counts: Counts, untouched: boolean): LessonStatus {
  if (counts.total === 0) return 'no-checks';
  if (counts.passed === 0 && counts.failed === 0) return 'skipped';
  if (counts.failed === 0) return 'passed';
  if (counts.passed === 0 && untouched) return 'not-started';
  return 'failing';
}

/** Whether the status needs the learner's work. */
export function isUnfinished(status: LessonStatus): boolean {
  return status === 'failing' || status === 'not-started';
}

/** Sets `first` on the first unfinished summary (and clears it elsewhere); returns it, if any. */
export function markFirstUnfinished(summaries: LessonSummary[]): LessonSummary | undefined {
  let first: LessonSummary | undefined;
  for (const s of summaries) {
    s.first = first === undefined && isUnfinished(s.status);
    if (s.first) first = s;
  }
  return first;
}

/** Builds a summary from counts (checks optional) and marks nothing yet. */
export function summarize(lesson: Lesson, counts: Counts, untouched: boolean, checks?: CheckResult[]): LessonSummary {
  const summary: LessonSummary = { lesson, ...counts, status: lessonStatus(counts, untouched), first: false };
  if (checks) summary.checks = checks;
  return summary;
}

/**
 * Exit status of a test run: success only when every selected, non-skipped
 * check passed and at least one check passed.
 */
export function runSucceeded(summaries: LessonSummary[]): boolean {
  const passed = summaries.reduce((n, s) => n + s.passed, 0);
  const failed = summaries.reduce((n, s) => n + s.failed, 0);
  return failed === 0 && passed > 0;
}
