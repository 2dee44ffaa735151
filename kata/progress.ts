/**
 * Evaluates lessons: reuses cached results whose fingerprint still matches,
 * runs the rest in one vitest process, records what it learned, and returns
 * one summary per lesson with the first unfinished one marked.
 */
import type { Impl } from './impl-switch.js';
import { discoverLessons, hasTestFile, treeDir, type Lesson } from './lessons.js';
import { runChecks, type CheckRunOptions } from './runner.js';
import { lessonFingerprint, loadState, updateState, type StoredResult } from './state.js';
import { countChecks, markFirstUnfinished, summarize, type LessonSummary } from './status.js';
import { isUntouched, loadStubs } from './stubs.js';

/** Options of {@link evaluateLessons}. */
export interface EvaluateOptions {
  impl: Impl;
  /** Reuse a stored result when its fingerprint matches (the list and the menu do; `test` does not). */
  useCache: boolean;
  /** Called before vitest starts, with the lessons it runs. */
  onStart?: CheckRunOptions['onStart'];
}

/** What an evaluation produced: summaries, or vitest's output when it crashed. */
export type Evaluation =
  | { ok: true; summaries: LessonSummary[] }
  | { ok: false; exitCode: number | null; output: string };

/**
 * Evaluates the given lessons in order. Results of the learner's tree are
 * stored in the state file (the reference tree's are not: they are not progress).
 */
export async function evaluateLessons(root: string, lessons: Lesson[], options: EvaluateOptions): Promise<Evaluation> {
  const state = loadState(root);
  const stubs = loadStubs(root);
  const tree = treeDir(root, options.impl);
  // Later lessons build on earlier ones, so a lesson's result also depends on the files before it.
  const all = discoverLessons(root);
  const earlierFiles = (l: Lesson) => all.filter((x) => x.id < l.id).flatMap((x) => x.files);
  const fingerprints = new Map(lessons.map((l) => [l.id, lessonFingerprint(root, l, options.impl, earlierFiles(l))]));
  const toRun = lessons.filter((l) => {
    if (!hasTestFile(root, l)) return false;
    const stored = state.results[l.id];
    return !(options.useCache && stored && stored.fingerprint === fingerprints.get(l.id));
  });

  const run = await runChecks(root, toRun, { impl: options.impl, onStart: options.onStart });
  if (!run.ok) return run;

  const at = new Date().toISOString();
  const recorded: Record<string, StoredResult> = {};
  const summaries = lessons.map((lesson): LessonSummary => {
    const untouched = isUntouched(tree, lesson, stubs);
    const checks = run.results.get(lesson.id);
    if (checks) {
      const counts = countChecks(checks);
      if (options.impl === 'learner') {
        recorded[lesson.id] = { ...counts, at, fingerprint: fingerprints.get(lesson.id) ?? '' };
      }
      return summarize(lesson, counts, untouched, checks);
    }
    const stored = state.results[lesson.id];
    if (toRun.includes(lesson) || !stored || !hasTestFile(root, lesson)) {
      return summarize(lesson, { passed: 0, failed: 0, skipped: 0, total: 0 }, untouched);
    }
    const { passed, failed, skipped, total } = stored;
    return { ...summarize(lesson, { passed, failed, skipped, total }, untouched), cached: true };
  });
  // Merged into a fresh read, so hints revealed meanwhile (another terminal) are kept.
  if (Object.keys(recorded).length > 0) updateState(root, (s) => Object.assign(s.results, recorded));
  markFirstUnfinished(summaries);
  return { ok: true, summaries };
}
