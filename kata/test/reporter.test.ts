import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { countLine, formatReport, formatStatusLines, MAX_FAILURES_SHOWN } from '../reporter.js';
import type { CheckResult } from '../runner.js';
import { countChecks, markFirstUnfinished, summarize, type LessonSummary } from '../status.js';
import { lessonOf } from './fixture.js';

const c = new Chalk({ level: 0 });
const n = (count: number, status: CheckResult['status'], message?: string): CheckResult[] =>
  Array.from({ length: count }, (_, i) => ({ name: `${status} check ${i + 1}`, status, ...(message ? { message } : {}) }));

function summaries(): LessonSummary[] {
  const rows = [
    summarize(lessonOf('00', 'welcome'), countChecks(n(9, 'passed')), false, n(9, 'passed')),
    summarize(lessonOf('01', 'client-transport', ['client/engine-client.ts']), countChecks([...n(3, 'passed'), ...n(9, 'failed', 'AssertionError: send /v1.41/_ping: look at src/client/engine-client.ts\n    at frame')]), false, [
      ...n(3, 'passed'),
      ...n(9, 'failed', 'AssertionError: send /v1.41/_ping: look at src/client/engine-client.ts\n    at frame'),
    ]),
    summarize(lessonOf('02', 'client-commands'), countChecks(n(12, 'failed')), false),
    summarize(lessonOf('03', 'daemon-server'), countChecks(n(11, 'failed')), true),
  ];
  markFirstUnfinished(rows);
  return rows;
}

describe('formatStatusLines', () => {
  it('prints one aligned line per lesson with symbol, number, name and score', () => {
    const lines = formatStatusLines(summaries(), c);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^✓ 00 welcome\s+9\/9$/);
    expect(lines[1]).toMatch(/^▸ 01 client transport\s+3\/12$/);
    expect(lines[2]).toMatch(/^✗ 02 client commands\s+0\/12$/);
    expect(lines[3]).toMatch(/^○ 03 daemon server\s+0\/11 not started$/);
    const scoreColumn = new Set(lines.map((l) => l.search(/\d+\/\d+/) + l.match(/\d+\/\d+/)![0].length));
    expect(scoreColumn.size).toBe(1);
  });

  it('shows skipped checks apart from the score', () => {
    const s = summarize(lessonOf('05', 'layers'), countChecks([...n(2, 'passed'), ...n(1, 'skipped')]), false);
    expect(formatStatusLines([s], c)[0]).toMatch(/^✓ 05 layers\s+2\/2 1 skipped$/);
  });
});

describe('formatReport', () => {
  it('names the next lesson, its failing checks with teaching messages, and what to do', () => {
    const text = formatReport(summaries(), { impl: 'learner', chalk: c });
    const lines = text.split('\n');
    expect(lines).toContain('Next: lesson 01 — client transport');
    expect(lines).toContain('  ✗ failed check 1');
    expect(lines).toContain('      send /v1.41/_ping: look at src/client/engine-client.ts');
    expect(text).not.toContain('at frame');
    expect(text).toContain(`… and ${9 - MAX_FAILURES_SHOWN} more failing checks`);
    expect(lines).toContain('  open  lessons/01-client-transport/README.md');
    expect(lines).toContain('  edit  src/client/engine-client.ts');
    expect(lines).toContain('  check npm test -- 01');
    expect(lines).toContain('  hint  npm start -- hint 01');
    expect(lines.filter(Boolean).at(-1)).toBe('checks: 12 passed, 32 failed');
    expect(text).not.toMatch(/\u001b\[/);
  });

  it('congratulates when every selected check passes', () => {
    const rows = [summarize(lessonOf('00', 'welcome'), countChecks(n(9, 'passed')), false, n(9, 'passed'))];
    markFirstUnfinished(rows);
    const text = formatReport(rows, { impl: 'reference', chalk: c });
    expect(text).toContain('✓ Every check passes in lesson 00. Well done!');
    expect(text).not.toContain('Next:');
    expect(text.trimEnd().split('\n').at(-1)).toBe('checks: 9 passed, 0 failed');
    const withNext = formatReport(rows, { impl: 'learner', chalk: c, allLessons: [lessonOf('00', 'welcome'), lessonOf('01', 'client-transport')] });
    expect(withNext).toContain('Next: lesson 01 — client transport: open lessons/01-client-transport/README.md, then npm test -- 01');
  });

  it('counts skipped checks in the closing line', () => {
    const rows = [summarize(lessonOf('00', 'w'), countChecks([...n(2, 'passed'), ...n(1, 'skipped')]), false)];
    expect(countLine(rows)).toBe('checks: 2 passed, 0 failed, 1 skipped');
  });
});
