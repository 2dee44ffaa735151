import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffAction, resetAction, snapshotStubsAction, verifyStubsAction } from '../actions.js';
import { discoverLessons, findLesson } from '../lessons.js';
import { backupStamp, resetLesson } from '../reset.js';
import { updateState } from '../state.js';
import { isUntouched, leadingComment, loadStubs, snapshotStubs, stubsPath, unmarkedProvidedFiles, verifyStubs } from '../stubs.js';
import { ADDER, LATER, makeFixture, testCtx } from './fixture.js';

let root = '';
afterEach(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
  root = '';
});

const srcFile = (rel: string) => path.join(root, 'src', rel);
const SOLVED = 'export function add(a: number, b: number): number {\n  return a + b; // mine\n}\n';

describe('reset', () => {
  it('backs the learner version up, then restores the stub', () => {
    root = makeFixture([ADDER]);
    fs.writeFileSync(srcFile('adder.ts'), SOLVED);
    const lesson = findLesson(discoverLessons(root), '01');
    const now = new Date('2025-03-04T05:06:07.089Z');
    const result = resetLesson(root, lesson, loadStubs(root), now);
    expect(result.backupDir).toBe(path.join('.kata', 'backups', '01-2025-03-04T05-06-07.089Z'));
    expect(fs.readFileSync(path.join(root, result.backupDir ?? '', 'adder.ts'), 'utf8')).toBe(SOLVED);
    expect(fs.readFileSync(srcFile('adder.ts'), 'utf8')).toBe(ADDER.src['adder.ts']);
    expect(result).toMatchObject({ backedUp: ['adder.ts'], restored: ['adder.ts'], alreadyStub: false });
    expect(fs.readdirSync(path.join(root, 'src'))).toEqual(['adder.ts']);
  });

  it('restores a deleted file without a backup, and does nothing on untouched stubs', () => {
    root = makeFixture([ADDER]);
    const lesson = findLesson(discoverLessons(root), '01');
    expect(resetLesson(root, lesson, loadStubs(root)).alreadyStub).toBe(true);
    expect(fs.existsSync(path.join(root, '.kata', 'backups'))).toBe(false);
    fs.rmSync(srcFile('adder.ts'));
    const result = resetLesson(root, lesson, loadStubs(root));
    expect(result.backupDir).toBeUndefined();
    expect(fs.readFileSync(srcFile('adder.ts'), 'utf8')).toBe(ADDER.src['adder.ts']);
  });

  it('refuses to touch anything when a stub is missing from the snapshot', () => {
    root = makeFixture([ADDER], { stubs: false });
    fs.writeFileSync(srcFile('adder.ts'), SOLVED);
    const lesson = findLesson(discoverLessons(root), '01');
    expect(() => resetLesson(root, lesson, loadStubs(root))).toThrow(/no stub for src\/adder.ts/);
    expect(fs.readFileSync(srcFile('adder.ts'), 'utf8')).toBe(SOLVED);
  });

  it('refuses without --yes when there is no terminal to ask on', async () => {
    root = makeFixture([ADDER]);
    fs.writeFileSync(srcFile('adder.ts'), SOLVED);
    const ctx = testCtx(root, { interactive: false });
    expect(await resetAction(ctx, '01', false)).toBe(1);
    expect(ctx.stderr()).toContain('npm start -- reset 01 --yes');
    expect(fs.readFileSync(srcFile('adder.ts'), 'utf8')).toBe(SOLVED);
    expect(await resetAction(ctx, '01', true)).toBe(0);
    expect(ctx.stdout()).toMatch(/Your version is saved in \.kata\/backups\/01-.+\//);
    expect(fs.readFileSync(srcFile('adder.ts'), 'utf8')).toBe(ADDER.src['adder.ts']);
  });

  it('asks first on a terminal, and a "no" changes nothing', async () => {
    root = makeFixture([ADDER]);
    fs.writeFileSync(srcFile('adder.ts'), SOLVED);
    const asked: string[] = [];
    const no = testCtx(root, { interactive: true, confirm: async (m) => (asked.push(m), false) });
    expect(await resetAction(no, '01', false)).toBe(0);
    expect(asked[0]).toContain('src/adder.ts');
    expect(fs.readFileSync(srcFile('adder.ts'), 'utf8')).toBe(SOLVED);
    const yes = testCtx(root, { interactive: true, confirm: async () => true });
    expect(await resetAction(yes, '01', false)).toBe(0);
    expect(fs.readFileSync(srcFile('adder.ts'), 'utf8')).toBe(ADDER.src['adder.ts']);
  });

  it('names backup folders without colons', () => {
    expect(backupStamp(new Date('2025-01-01T00:00:00Z'))).toBe('2025-01-01T00-00-00.000Z');
  });
});

describe('stubs snapshot', () => {
  it('snapshots src/ and verifies it; a changed, missing or stale file fails verification', () => {
    root = makeFixture([ADDER, LATER], { stubs: false });
    const lessons = discoverLessons(root);
    expect(verifyStubs(root, lessons)).toEqual([
      { file: 'adder.ts', problem: 'is missing from the snapshot' },
      { file: 'later.ts', problem: 'is missing from the snapshot' },
    ]);
    fs.writeFileSync(srcFile('later.ts'), 'export {};\n');
    const { files, warnings } = snapshotStubs(root, lessons);
    expect(files).toEqual(['adder.ts', 'later.ts']);
    expect(warnings).toEqual(['src/later.ts has no TODO(lesson-02) marker: is it really the stub?']);
    expect(verifyStubs(root, lessons)).toEqual([]);
    fs.appendFileSync(srcFile('adder.ts'), '// solved\n');
    fs.rmSync(srcFile('later.ts'));
    const snap = JSON.parse(fs.readFileSync(stubsPath(root), 'utf8')) as Record<string, string>;
    fs.writeFileSync(stubsPath(root), JSON.stringify({ ...snap, 'gone.ts': '' }));
    expect(verifyStubs(root, lessons)).toEqual([
      { file: 'adder.ts', problem: 'differs from the snapshot' },
      { file: 'later.ts', problem: 'is missing from src/' },
      { file: 'gone.ts', problem: 'is in the snapshot but no lesson lists it' },
    ]);
  });

  it('verify-stubs exits 1 listing the problems, 0 when clean', () => {
    root = makeFixture([ADDER], { stubs: false });
    const ctx = testCtx(root);
    expect(snapshotStubsAction(ctx)).toBe(0);
    expect(verifyStubsAction(ctx)).toBe(0);
    fs.appendFileSync(srcFile('adder.ts'), '// solved\n');
    expect(verifyStubsAction(ctx)).toBe(1);
    expect(ctx.stderr()).toContain('src/adder.ts differs from the snapshot');
  });

  it('a file no lesson lists must say in its first comment that it is provided', () => {
    root = makeFixture([ADDER]);
    for (const tree of ['src', 'solutions']) {
      fs.writeFileSync(path.join(root, tree, 'helper.ts'), '/**\n * Adds things. This file is provided, in lowercase.\n */\nexport const x = 1; // Provided\n');
      fs.mkdirSync(path.join(root, tree, 'deep'));
      fs.writeFileSync(path.join(root, tree, 'deep', 'run.sh'), '#!/bin/sh\n# Provided: starts the thing.\nexit 0\n');
    }
    expect(unmarkedProvidedFiles(root, discoverLessons(root))).toEqual(['solutions/helper.ts', 'src/helper.ts']);
    const ctx = testCtx(root);
    expect(verifyStubsAction(ctx)).toBe(1);
    expect(ctx.stderr()).toContain('src/helper.ts is provided (no lesson.json lists it) but its first comment does not say so');
    expect(ctx.stderr()).toContain('solutions/helper.ts is provided');
    expect(ctx.stderr()).toContain('"Provided: <what it is for>"');
    expect(ctx.stderr()).not.toContain('adder.ts');
    for (const tree of ['src', 'solutions']) {
      fs.writeFileSync(path.join(root, tree, 'helper.ts'), '/**\n * Adds things. Provided: the lesson uses it.\n */\nexport const x = 1;\n');
    }
    expect(verifyStubsAction(testCtx(root))).toBe(0);
    expect(leadingComment('#!/usr/bin/env node\n\n// Provided: a\n// b\ncode();\n')).toBe('// Provided: a\n// b');
    expect(leadingComment('export {}; /* Provided */\n')).toBe('');
  });

  it('knows whether a lesson is untouched', () => {
    root = makeFixture([ADDER, LATER]);
    const [adder, later] = discoverLessons(root);
    const stubs = loadStubs(root);
    expect(isUntouched(path.join(root, 'src'), adder!, stubs)).toBe(true);
    expect(isUntouched(path.join(root, 'solutions'), adder!, stubs)).toBe(false);
    fs.appendFileSync(srcFile('later.ts'), '// started\n');
    expect(isUntouched(path.join(root, 'src'), later!, stubs)).toBe(false);
    expect(isUntouched(path.join(root, 'src'), { ...adder!, files: [] }, stubs)).toBe(false);
  });
});

describe('reference diff', () => {
  it('is refused before the lesson passes unless forced, and shown after', async () => {
    root = makeFixture([ADDER]);
    const ctx = testCtx(root);
    expect(await diffAction(ctx, '01', false)).toBe(1);
    expect(ctx.stderr()).toContain('npm start -- diff 01 --force');
    expect(ctx.stdout()).toBe('');
    expect(await diffAction(ctx, '01', true)).toBe(0);
    expect(ctx.stdout()).toContain('+  return a + b;');
    expect(ctx.stdout()).toMatch(/src\/adder\.ts/);

    const shy = testCtx(root, { interactive: true, confirm: async () => false });
    expect(await diffAction(shy, '01', false)).toBe(0);
    expect(shy.stdout()).toBe('');

    updateState(root, (s) => {
      s.results['01'] = { passed: 2, failed: 0, skipped: 0, total: 2, at: 'now', fingerprint: 'f' };
    });
    const passed = testCtx(root);
    expect(await diffAction(passed, '01', false)).toBe(0);
    expect(passed.stdout()).toContain('-  return a - a + b - b;');
  });
});
