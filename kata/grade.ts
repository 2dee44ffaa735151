/**
 * The autograder report of `npm run grade`:
 *
 * ```
 * reports/
 *   grade.json   { impl, generatedAt, total: {passed, total, points, maxPoints}, lessons: [...] }
 *   junit.xml    one testsuite per lesson, one testcase per check
 * ```
 *
 * One point per passed check; `maxPoints` counts every check, skipped ones too
 * (a skipped check proved nothing, so it earns nothing).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GradeCheck, GradeLesson, GradeReport } from './grade-report.js';
import type { Impl } from './impl-switch.js';
import { toJUnit } from './junit.js';
import { teachingMessage } from './runner.js';
import type { LessonSummary } from './status.js';

/** Builds the report from freshly run summaries (checks present). */
export function buildGradeReport(summaries: LessonSummary[], impl: Impl, now = new Date()): GradeReport {
  const lessons = summaries.map((s): GradeLesson => ({
    id: s.lesson.id,
    slug: s.lesson.slug,
    title: s.lesson.title,
    passed: s.passed,
    failed: s.failed,
    skipped: s.skipped,
    total: s.total,
    points: s.passed,
    maxPoints: s.total,
    status: s.status,
    checks: (s.checks ?? []).map((c) => {
      const check: GradeCheck = { name: c.name, status: c.status };
      if (c.status === 'failed') check.message = teachingMessage(c.message, 12, 1000).join('\n');
      return check;
    }),
  }));
  const sum = (k: 'passed' | 'total' | 'points' | 'maxPoints') => lessons.reduce((n, l) => n + l[k], 0);
  return {
    impl,
    generatedAt: now.toISOString(),
    total: { passed: sum('passed'), total: sum('total'), points: sum('points'), maxPoints: sum('maxPoints') },
    lessons,
  };
}

/** Writes grade.json and junit.xml into `outDir` (created if needed); returns both paths. */
export function writeGradeReport(report: GradeReport, outDir: string): { json: string; junit: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'grade.json');
  const junit = path.join(outDir, 'junit.xml');
  fs.writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(junit, toJUnit(report));
  return { json, junit };
}

/** The summary printed after grading: one line per lesson and the total. */
export function formatGradeSummary(report: GradeReport): string {
  const width = Math.max(0, ...report.lessons.map((l) => l.slug.length)) + 2;
  const lines = report.lessons.map(
    (l) => `${l.id} ${l.slug.replace(/-/g, ' ').padEnd(width)} ${`${l.points}/${l.maxPoints}`.padStart(7)} points  ${l.status}`,
  );
  const t = report.total;
  lines.push(`total${' '.repeat(width - 2)} ${`${t.points}/${t.maxPoints}`.padStart(7)} points (${report.impl})`);
  return `${lines.join('\n')}\n`;
}
