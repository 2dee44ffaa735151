import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGradeReport, formatGradeSummary, writeGradeReport } from '../grade.js';
import { escapeXml, toJUnit } from '../junit.js';
import type { CheckResult } from '../runner.js';
import { countChecks, markFirstUnfinished, summarize } from '../status.js';
import { lessonOf } from './fixture.js';

function sample() {
  const a: CheckResult[] = [
    { name: 'ping answers', status: 'passed' },
    { name: 'version <json> & "quotes"', status: 'failed', message: "AssertionError: expected <200> & 'ok'\u0007\n    at stack" },
    { name: 'docker version talks to it', status: 'skipped' },
  ];
  const b: CheckResult[] = [{ name: 'adds', status: 'passed' }];
  const rows = [
    summarize(lessonOf('03', 'daemon-server'), countChecks(a), false, a),
    summarize(lessonOf('04', 'blobs'), countChecks(b), false, b),
    summarize(lessonOf('05', 'unwritten'), countChecks([]), false, []),
  ];
  markFirstUnfinished(rows);
  return buildGradeReport(rows, 'learner', new Date('2025-01-02T03:04:05Z'));
}

/** A minimal XML reader: enough to count elements and read attributes. */
function elements(xml: string, tag: string): Array<Record<string, string>> {
  const found: Array<Record<string, string>> = [];
  for (const m of xml.matchAll(new RegExp(`<${tag}((?:\\s+[\\w:-]+="[^"]*")*)\\s*/?>`, 'g'))) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1] ?? ''] = a[2] ?? '';
    found.push(attrs);
  }
  return found;
}

describe('grade report', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('gives one point per passed check and counts every check in maxPoints', () => {
    const r = sample();
    expect(r.impl).toBe('learner');
    expect(r.generatedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(r.total).toEqual({ passed: 2, total: 4, points: 2, maxPoints: 4 });
    const [l3, l4, l5] = r.lessons;
    expect(l3).toMatchObject({ id: '03', slug: 'daemon-server', passed: 1, failed: 1, skipped: 1, total: 3, points: 1, maxPoints: 3, status: 'failing' });
    expect(l3?.checks.map((c) => c.status)).toEqual(['passed', 'failed', 'skipped']);
    expect(l3?.checks[1]?.message).toBe("expected <200> & 'ok'\u0007");
    expect(l3?.checks[0]).not.toHaveProperty('message');
    expect(l4).toMatchObject({ points: 1, maxPoints: 1, status: 'passed' });
    expect(l5).toMatchObject({ total: 0, status: 'no-checks', checks: [] });
  });

  it('writes JUnit XML with a suite per lesson, a case per check, failures escaped', () => {
    const xml = toJUnit(sample());
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(elements(xml, 'testsuites')[0]).toMatchObject({ tests: '4', failures: '1', skipped: '1' });
    const suites = elements(xml, 'testsuite');
    expect(suites.map((s) => [s.name, s.tests, s.failures, s.skipped])).toEqual([
      ['03 daemon-server', '3', '1', '1'],
      ['04 blobs', '1', '0', '0'],
      ['05 unwritten', '0', '0', '0'],
    ]);
    expect(elements(xml, 'testcase')).toHaveLength(4);
    expect(elements(xml, 'skipped')).toHaveLength(1);
    const failures = elements(xml, 'failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.message).toBe('expected &lt;200&gt; &amp; &apos;ok&apos;');
    expect(xml).toContain('name="version &lt;json&gt; &amp; &quot;quotes&quot;"');
    expect(xml).not.toContain('\u0007');
    // Every tag that opens also closes.
    for (const tag of ['testsuites', 'testsuite', 'failure']) {
      expect(xml.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length, tag).toBe(xml.split(`</${tag}>`).length - 1);
    }
  });

  it('escapes the five XML specials and drops control characters', () => {
    expect(escapeXml(`<a href="x">&'\u0000\u001b[31m\t`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;[31m\t');
  });

  it('writes grade.json and junit.xml into the chosen folder', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-grade-'));
    const out = path.join(dir, 'nested', 'reports');
    const paths = writeGradeReport(sample(), out);
    expect(paths).toEqual({ json: path.join(out, 'grade.json'), junit: path.join(out, 'junit.xml') });
    const parsed = JSON.parse(fs.readFileSync(paths.json, 'utf8')) as { total: { points: number } };
    expect(parsed.total.points).toBe(2);
    expect(fs.readFileSync(paths.junit, 'utf8')).toContain('<testsuites');
  });

  it('summarises points per lesson', () => {
    const text = formatGradeSummary(sample());
    expect(text).toMatch(/^03 daemon server\s+1\/3 points {2}failing$/m);
    expect(text).toMatch(/^total\s+2\/4 points \(learner\)$/m);
  });
});
