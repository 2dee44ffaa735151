import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { doctorAction, doctorBeforeStart, type RunDoctor } from '../doctor-loader.js';
import { discoverLessons, findLesson, rangeLabel, selectLessons } from '../lessons.js';
import { watchLesson } from '../watch.js';
import { ADDER, LATER, lessonOf, makeFixture, testCtx } from './fixture.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('lessons', () => {
  it('discovers NN-slug folders in order, reading lesson.json', () => {
    const root = makeFixture([LATER, ADDER]);
    dirs.push(root);
    fs.mkdirSync(path.join(root, 'lessons', 'notes'));
    fs.mkdirSync(path.join(root, 'lessons', '03-half-written'));
    const lessons = discoverLessons(root);
    expect(lessons.map((l) => `${l.id}-${l.slug}`)).toEqual(['01-adder', '02-later-lesson', '03-half-written']);
    expect(lessons[0]).toMatchObject({ title: 'Adding numbers', files: ['adder.ts'], testFile: 'test/lessons/01-adder.test.ts' });
    expect(lessons[2]).toMatchObject({ files: [], problem: 'lessons/03-half-written/lesson.json is missing' });
  });

  it('finds a lesson by number, padded number, folder name or slug', () => {
    const lessons = [lessonOf('03', 'daemon-server'), lessonOf('10', 'bundle')];
    for (const arg of ['3', '03', '03-daemon-server', 'daemon-server', 'lessons/03-daemon-server/']) {
      expect(findLesson(lessons, arg).id).toBe('03');
    }
    expect(() => findLesson(lessons, '4')).toThrow('there is no lesson "4" (lessons: 03 daemon server, 10 bundle)');
    expect(selectLessons(lessons, []).length).toBe(2);
    expect(selectLessons(lessons, ['10', '3']).map((l) => l.id)).toEqual(['03', '10']);
  });

  it('labels ranges for the progress line', () => {
    const l = (ids: string[]) => ids.map((id) => lessonOf(id, 'x'));
    expect(rangeLabel(l(['00', '01', '02', '03']))).toBe('00–03');
    expect(rangeLabel(l(['02']))).toBe('02');
    expect(rangeLabel(l(['00', '02']))).toBe('00, 02');
  });
});

describe('doctor', () => {
  const doctor = (ok: boolean): (() => Promise<RunDoctor>) => async () => async (out) => {
    out.write(ok ? 'all good\n' : 'runc is missing\n');
    return { ok, findings: [] };
  };

  it('doctor exits 0 when the machine is fit, 1 when not, 1 when the doctor is missing', async () => {
    const ctx = testCtx('/nowhere');
    expect(await doctorAction(ctx, doctor(true))).toBe(0);
    expect(await doctorAction(ctx, doctor(false))).toBe(1);
    expect(ctx.stdout()).toBe('all good\nrunc is missing\n');
    expect(await doctorAction(ctx, async () => undefined)).toBe(1);
    expect(ctx.stderr()).toContain('kata/doctor.ts is missing');
  });

  it('before the list, the doctor speaks but never stops it', async () => {
    const ctx = testCtx('/nowhere');
    await doctorBeforeStart(ctx, doctor(false));
    expect(ctx.stdout()).toContain('The doctor found problems');
    await doctorBeforeStart(ctx, async () => async () => {
      throw new Error('probe failed');
    });
    expect(ctx.stderr()).toContain('The doctor could not finish: probe failed');
    const quiet = testCtx('/nowhere');
    await doctorBeforeStart(quiet, async () => undefined);
    expect(quiet.stdout()).toBe('');
  });
});

describe('watchLesson', () => {
  it('runs once, again after a save of a watched file, not for other files, and stops on abort', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kata-watch-'));
    dirs.push(dir);
    const watched = path.join(dir, 'router.ts');
    fs.writeFileSync(watched, 'a');
    let runs = 0;
    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && runs < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    const stop = new AbortController();
    const watching = watchLesson([watched, path.join(dir, 'missing-dir', 'x.ts')], {
      signal: stop.signal,
      debounceMs: 20,
      run: async () => {
        runs += 1;
      },
    });
    await waitFor(1);
    expect(runs).toBe(1);
    fs.writeFileSync(path.join(dir, 'unrelated.ts'), 'x');
    await new Promise((r) => setTimeout(r, 150));
    expect(runs).toBe(1);
    fs.writeFileSync(watched, 'b');
    await waitFor(2);
    expect(runs).toBe(2);
    stop.abort();
    await watching;
  });
});
