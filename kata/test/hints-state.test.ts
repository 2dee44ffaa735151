import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hintAction } from '../actions.js';
import { parseHints, revealNextHint, revealedCount } from '../hints.js';
import { discoverLessons, findLesson } from '../lessons.js';
import { emptyState, lessonFingerprint, loadState, saveState, statePath, updateState } from '../state.js';
import { ADDER, LATER, makeFixture, testCtx } from './fixture.js';

let root: string | undefined;
afterEach(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('parseHints', () => {
  it('splits on "## Hint N" headings and ignores text before the first', () => {
    const hints = parseHints('# Hints for 03\n\nintro\n\n## Hint 1\n\nfirst\n\n## Hint 2 — the router\n\nsecond\n### not a hint\nstill second\n');
    expect(hints).toEqual([
      { title: 'Hint 1', body: 'first' },
      { title: 'Hint 2 — the router', body: 'second\n### not a hint\nstill second' },
    ]);
    expect(parseHints('no hints here')).toEqual([]);
  });
});

describe('hint state', () => {
  it('reveals one hint at a time and remembers it across reads', () => {
    root = makeFixture([ADDER]);
    const lesson = findLesson(discoverLessons(root), '1');
    expect(revealedCount(root, lesson)).toBe(0);
    const first = revealNextHint(root, lesson);
    expect(first).toMatchObject({ total: 2, revealedNew: true });
    expect(first.revealed.map((h) => h.body)).toEqual(['Use the plus operator.']);
    expect(revealedCount(root, lesson)).toBe(1);
    expect(JSON.parse(fs.readFileSync(statePath(root), 'utf8'))).toMatchObject({ version: 1, hints: { '01': 1 } });
    const second = revealNextHint(root, lesson);
    expect(second.revealed).toHaveLength(2);
    const third = revealNextHint(root, lesson);
    expect(third).toMatchObject({ revealedNew: false, total: 2 });
    expect(third.revealed).toHaveLength(2);
    expect(revealedCount(root, lesson)).toBe(2);
  });

  it('prints every revealed hint and says when none are left', () => {
    root = makeFixture([ADDER, LATER]);
    const ctx = testCtx(root);
    hintAction(ctx, '01');
    expect(ctx.stdout()).toContain('(1/2 revealed)');
    expect(ctx.stdout()).toContain('Hint 1 (new)');
    expect(ctx.stdout()).toContain('1 more hint(s): npm start -- hint 01');
    hintAction(ctx, '01');
    hintAction(ctx, '01');
    expect(ctx.stdout()).toContain('That was the last hint.');
    hintAction(ctx, '02');
    expect(ctx.stdout()).toContain('Lesson 02 has no hints');
  });

  it('loses only the revealed hints when the state file is deleted', () => {
    root = makeFixture([ADDER]);
    const lesson = findLesson(discoverLessons(root), '01');
    revealNextHint(root, lesson);
    updateState(root, (s) => {
      s.results['01'] = { passed: 1, failed: 1, skipped: 0, total: 2, at: 'now', fingerprint: 'x' };
    });
    fs.rmSync(statePath(root));
    expect(revealedCount(root, lesson)).toBe(0);
    expect(loadState(root)).toEqual(emptyState());
    expect(revealNextHint(root, lesson).revealed).toHaveLength(1);
  });

  it('tolerates a corrupt state file: warns once, starts fresh, then repairs it', () => {
    root = makeFixture([ADDER]);
    fs.mkdirSync(path.dirname(statePath(root)), { recursive: true });
    fs.writeFileSync(statePath(root), '{ "version": 1, "hints": ');
    const warnings: string[] = [];
    expect(loadState(root, (m) => warnings.push(m))).toEqual(emptyState());
    expect(loadState(root, (m) => warnings.push(m))).toEqual(emptyState());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('.kata/state.json');
    const lesson = findLesson(discoverLessons(root), '01');
    expect(revealNextHint(root, lesson).revealedNew).toBe(true);
    expect(loadState(root).hints).toEqual({ '01': 1 });
  });

  it('writes atomically, leaving no temp files behind', () => {
    root = makeFixture([ADDER]);
    saveState(root, { ...emptyState(), hints: { '01': 2 } });
    expect(fs.readdirSync(path.dirname(statePath(root)))).toEqual(['state.json']);
  });
});

describe('lessonFingerprint', () => {
  it('changes with the lesson files, the test file and its helpers, and the implementation', () => {
    root = makeFixture([ADDER]);
    const lesson = findLesson(discoverLessons(root), '01');
    const before = lessonFingerprint(root, lesson, 'learner');
    expect(lessonFingerprint(root, lesson, 'learner')).toBe(before);
    expect(lessonFingerprint(root, lesson, 'reference')).not.toBe(before);
    fs.appendFileSync(path.join(root, 'src', 'adder.ts'), '// edit\n');
    const edited = lessonFingerprint(root, lesson, 'learner');
    expect(edited).not.toBe(before);
    fs.appendFileSync(path.join(root, lesson.testFile), '// edit\n');
    const retested = lessonFingerprint(root, lesson, 'learner');
    expect(retested).not.toBe(edited);
    fs.writeFileSync(path.join(root, 'src', 'earlier.ts'), 'x');
    const withEarlier = lessonFingerprint(root, lesson, 'learner', ['earlier.ts']);
    expect(withEarlier).not.toBe(retested);
    fs.writeFileSync(path.join(root, 'src', 'earlier.ts'), 'y');
    const withLater = lessonFingerprint(root, lesson, 'learner', ['earlier.ts']);
    expect(withLater).not.toBe(withEarlier);
    // Helpers beside the test file (test/lessons/NN-slug/*.ts) count as the test.
    const helpers = lesson.testFile.replace(/\.test\.ts$/, '');
    fs.mkdirSync(path.join(root, helpers), { recursive: true });
    fs.writeFileSync(path.join(root, helpers, 'helpers.ts'), 'export const a = 1;\n');
    const withHelpers = lessonFingerprint(root, lesson, 'learner', ['earlier.ts']);
    expect(withHelpers).not.toBe(withLater);
    fs.appendFileSync(path.join(root, helpers, 'helpers.ts'), '// edit\n');
    expect(lessonFingerprint(root, lesson, 'learner', ['earlier.ts'])).not.toBe(withHelpers);
  });
});
