/**
 * JUnit XML for CI dashboards and autograders: one `<testsuite>` per lesson,
 * one `<testcase>` per graded check, `<failure>` and `<skipped/>` as usual.
 */
import type { GradeReport } from './grade-report.js';

/**
 * Escapes text for XML content and attribute values. Characters XML 1.0 cannot
 * carry (NUL and other C0 controls except tab, newline, return) are dropped.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Renders the report as JUnit XML. */
export function toJUnit(report: GradeReport): string {
  const count = (k: 'failed' | 'skipped') => report.lessons.reduce((n, l) => n + l[k], 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="dockerlings" tests="${report.total.total}" failures="${count('failed')}" skipped="${count('skipped')}" errors="0" timestamp="${escapeXml(report.generatedAt)}">`,
  ];
  for (const lesson of report.lessons) {
    const suite = `${lesson.id}-${lesson.slug}`;
    lines.push(
      `  <testsuite name="${escapeXml(`${lesson.id} ${lesson.title}`)}" tests="${lesson.total}" failures="${lesson.failed}" skipped="${lesson.skipped}" errors="0">`,
    );
    for (const check of lesson.checks) {
      const open = `    <testcase classname="lessons.${escapeXml(suite)}" name="${escapeXml(check.name)}"`;
      if (check.status === 'passed') {
        lines.push(`${open}/>`);
      } else if (check.status === 'skipped') {
        lines.push(`${open}>`, '      <skipped/>', '    </testcase>');
      } else {
        const message = check.message ?? 'failed';
        const firstLine = message.split('\n')[0] ?? '';
        lines.push(
          `${open}>`,
          `      <failure message="${escapeXml(firstLine)}" type="AssertionError">${escapeXml(message)}</failure>`,
          '    </testcase>',
        );
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
