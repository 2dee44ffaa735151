import { describe, expect, it } from 'vitest';
import { addUnhandledErrors, parseReport, teachingMessage, unhandledErrors, type CheckResult, type RunResults } from '../runner.js';
import { countChecks, lessonStatus, markFirstUnfinished, runSucceeded, summarize } from '../status.js';
import { lessonOf } from './fixture.js';

const pass = (name: string): CheckResult => ({ name, status: 'passed' });
const fail = (name: string): CheckResult => ({ name, status: 'failed', message: 'nope' });
const skip = (name: string): CheckResult => ({ name, status: 'skipped' });

describe('lessonStatus', () => {
  it('is passed when every non-skipped check passed', () => {
    expect(lessonStatus(countChecks([pass('a'), pass('b')]), false)).toBe('passed');
    expect(lessonStatus(countChecks([pass('a'), skip('b')]), false)).toBe('passed');
  });

  it('is failing when any check fails, even on untouched stubs once something passes', () => {
    expect(lessonStatus(countChecks([pass('a'), fail('b')]), false)).toBe('failing');
    expect(lessonStatus(countChecks([pass('a'), fail('b')]), true)).toBe('failing');
    expect(lessonStatus(countChecks([fail('a')]), false)).toBe('failing');
  });

  it('is not started only when the files are the stubs and nothing passes', () => {
    expect(lessonStatus(countChecks([fail('a'), fail('b')]), true)).toBe('not-started');
  });

  it('does not count skipped checks as failures', () => {
    const counts = countChecks([pass('a'), skip('b'), skip('c')]);
    expect(counts).toEqual({ passed: 1, failed: 0, skipped: 2, total: 3 });
    expect(lessonStatus(counts, true)).toBe('passed');
    expect(lessonStatus(countChecks([skip('a')]), true)).toBe('skipped');
  });

  it('is no-checks without checks', () => {
    expect(lessonStatus(countChecks([]), true)).toBe('no-checks');
  });
});

describe('markFirstUnfinished', () => {
  it('marks the first failing or not-started lesson, skipping passed, skipped and empty ones', () => {
    const s = [
      summarize(lessonOf('00', 'a'), countChecks([pass('x')]), false),
      summarize(lessonOf('01', 'b'), countChecks([skip('x')]), false),
      summarize(lessonOf('02', 'c'), countChecks([]), false),
      summarize(lessonOf('03', 'd'), countChecks([fail('x')]), true),
      summarize(lessonOf('04', 'e'), countChecks([pass('x'), fail('y')]), false),
    ];
    expect(markFirstUnfinished(s)?.lesson.id).toBe('03');
    expect(s.map((x) => x.first)).toEqual([false, false, false, true, false]);
  });

  it('marks nothing when everything passed', () => {
    const s = [summarize(lessonOf('00', 'a'), countChecks([pass('x')]), false)];
    expect(markFirstUnfinished(s)).toBeUndefined();
  });
});

describe('runSucceeded', () => {
  it('needs at least one passed check and no failure', () => {
    const ok = summarize(lessonOf('00', 'a'), countChecks([pass('x'), skip('y')]), false);
    const bad = summarize(lessonOf('01', 'b'), countChecks([fail('x')]), false);
    const none = summarize(lessonOf('02', 'c'), countChecks([skip('x')]), false);
    expect(runSucceeded([ok])).toBe(true);
    expect(runSucceeded([ok, bad])).toBe(false);
    expect(runSucceeded([none])).toBe(false);
    expect(runSucceeded([])).toBe(false);
  });
});

describe('parseReport', () => {
  const lessons = [lessonOf('01', 'one'), lessonOf('02', 'two'), lessonOf('03', 'three')];

  it('maps files to lessons by name and reads every status', () => {
    const results = parseReport(
      {
        testResults: [
          {
            name: '/somewhere/test/lessons/01-one.test.ts',
            status: 'failed',
            message: '',
            assertionResults: [
              { title: 'a', status: 'passed', failureMessages: [] },
              { title: 'b', ancestorTitles: ['group'], status: 'failed', failureMessages: ['\u001b[31mAssertionError: boom\u001b[39m\n    at x'] },
              { title: 'c', status: 'skipped' },
              { title: 'd', status: 'todo' },
            ],
          },
          { name: '/x/test/lessons/99-unknown.test.ts', status: 'passed', assertionResults: [{ title: 'z', status: 'passed' }] },
        ],
      },
      lessons,
    );
    expect([...results.keys()]).toEqual(['01']);
    const checks = results.get('01') ?? [];
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['a', 'passed'],
      ['group › b', 'failed'],
      ['c', 'skipped'],
      ['d', 'skipped'],
    ]);
    expect(checks[1]?.message).toBe('AssertionError: boom\n    at x');
  });

  it('drops a describe() that wraps every check of the file, keeps inner groups', () => {
    const results = parseReport(
      {
        testResults: [
          {
            name: '/r/test/lessons/03-three.test.ts',
            status: 'passed',
            assertionResults: [
              { title: 'ping', ancestorTitles: ['lesson 03'], status: 'passed' },
              { title: 'info', ancestorTitles: ['lesson 03', 'system'], status: 'passed' },
            ],
          },
        ],
      },
      lessons,
    );
    expect(results.get('03')?.map((c) => c.name)).toEqual(['ping', 'system › info']);
  });

  it('turns a file that failed to load into one failed check', () => {
    const results = parseReport(
      { testResults: [{ name: '/r/test/lessons/02-two.test.ts', status: 'failed', message: "Cannot find module '#kata/x.js'", assertionResults: [] }] },
      lessons,
    );
    expect(results.get('02')).toEqual([
      { name: 'test/lessons/02-two.test.ts loads', status: 'failed', message: "Cannot find module '#kata/x.js'" },
    ]);
  });
});

describe('teachingMessage', () => {
  it('drops the error class, stack frames and ANSI, and cuts long diffs', () => {
    const msg =
      '\u001b[31mAssertionError: ping should answer OK: look at src/daemon/server/router.ts: expected 404 to be 200\u001b[39m\n\n- Expected\n+ Received\n\n- 200\n+ 404\n1\n2\n3\n    at /r/test.ts:1:1\n    at more';
    const lines = teachingMessage(msg, 6);
    expect(lines[0]).toBe('ping should answer OK: look at src/daemon/server/router.ts: expected 404 to be 200');
    expect(lines).toHaveLength(7);
    expect(lines[6]).toBe('…');
    expect(lines.join('\n')).not.toContain('/r/test.ts');
  });

  it('keeps a NotImplementedError message readable', () => {
    expect(teachingMessage('NotImplementedError: lesson-03: Router.route is not implemented yet\n    at x')).toEqual([
      'lesson-03: Router.route is not implemented yet',
    ]);
  });
});

describe('unhandled errors', () => {
  const stderr = [
    '\u001b[31m⎯⎯⎯⎯⎯⎯\u001b[39m\u001b[1m\u001b[41m Unhandled Errors \u001b[49m\u001b[22m\u001b[31m⎯⎯⎯⎯⎯⎯\u001b[39m',
    'Vitest caught 2 unhandled errors during the test run.',
    '',
    '⎯⎯⎯⎯ Unhandled Rejection ⎯⎯⎯⎯⎯',
    'Error: rejected late',
    ' ❯ test/lessons/02-two.test.ts:2:42',
    'This error originated in "test/lessons/02-two.test.ts" test file.',
    '⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯',
    '⎯⎯⎯⎯⎯ Uncaught Exception ⎯⎯⎯⎯⎯',
    'TypeError: x is not a function',
    '⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯',
  ].join('\n');

  it('reads each error and the file vitest blames', () => {
    expect(unhandledErrors(stderr)).toEqual([
      { message: 'Error: rejected late', file: 'test/lessons/02-two.test.ts' },
      { message: 'TypeError: x is not a function' },
    ]);
    expect(unhandledErrors('all fine')).toEqual([]);
  });

  it('fails the blamed lesson, or the first one when none is named', () => {
    const lessons = [lessonOf('01', 'one'), lessonOf('02', 'two')];
    const results: RunResults = new Map([['02', [{ name: 'ok', status: 'passed' }]]]);
    addUnhandledErrors(results, unhandledErrors(stderr), lessons);
    expect(results.get('02')?.map((c) => c.status)).toEqual(['passed', 'failed']);
    expect(results.get('02')?.[1]?.message).toContain('rejected late');
    expect(results.get('01')?.[0]).toMatchObject({ name: "no unhandled error while lesson 01's checks run", status: 'failed' });
  });

  it('adds one check per lesson at most, and none to a lesson that already fails', () => {
    const lessons = [lessonOf('01', 'one')];
    const errors = [{ message: 'Error: a' }, { message: 'Error: b' }];
    const passing: RunResults = new Map([['01', [{ name: 'ok', status: 'passed' }]]]);
    addUnhandledErrors(passing, errors, lessons);
    expect(passing.get('01')).toHaveLength(2);
    expect(passing.get('01')?.[1]?.message).toMatch(/^Error: a \(and 1 more\)/);
    const failing: RunResults = new Map([['01', [{ name: 'bad', status: 'failed', message: 'x' }]]]);
    addUnhandledErrors(failing, errors, lessons);
    expect(failing.get('01')).toHaveLength(1);
  });
});
