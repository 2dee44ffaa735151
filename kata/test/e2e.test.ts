/**
 * End to end: `tsx kata/main.ts …` on a fixture repository with its own
 * vitest.config.ts, one check that passes on the stub and one that needs the
 * solution — to prove exit codes and the shape of the output.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../impl-switch.js';
import { evaluateLessons } from '../progress.js';
import { discoverLessons } from '../lessons.js';
import { lessonFingerprint, loadState, updateState } from '../state.js';
import { ADDER, LATER, makeFixture } from './fixture.js';

const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function kata(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  for (const k of ['DOCKERLINGS_IMPL', 'FORCE_COLOR', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'NODE_OPTIONS', 'TEST']) delete base[k];
  const run = spawnSync(process.execPath, [tsx, path.join(repoRoot, 'kata', 'main.ts'), ...args], {
    cwd: repoRoot,
    env: { ...base, NO_COLOR: '1', DOCKERLINGS_ROOT: root, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('tsx kata/main.ts on a fixture repository', () => {
  let root = '';
  beforeAll(() => {
    root = makeFixture([ADDER, LATER]);
  });
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('test: exits 1 with a failing check, names it with its teaching message and the next steps', () => {
    const r = kata(root, ['test']);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^▸ 01 adder\s+1\/2$/);
    expect(lines[1]).toMatch(/^– 02 later lesson\s+no graded checks yet$/);
    expect(lines).toContain('Next: lesson 01 — adder');
    expect(lines).toContain('  ✗ add sums two numbers');
    expect(r.stdout).toContain('      add(1, 2) should be 3: look at add in src/adder.ts: expected');
    expect(lines).toContain('  edit  src/adder.ts');
    expect(lines).toContain('  check npm test -- 01');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('checks: 1 passed, 1 failed');
    expect(r.stdout).not.toMatch(/\u001b\[|checking lesson/);
    expect(loadState(root).results['01']).toMatchObject({ passed: 1, failed: 1, total: 2 });
  });

  it('test --reference and DOCKERLINGS_IMPL=reference: exit 0 with a congratulation', () => {
    for (const r of [kata(root, ['test', '--reference']), kata(root, ['test', '01'], { DOCKERLINGS_IMPL: 'reference' })]) {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^✓ 01 adder\s+2\/2$/m);
      expect(r.stdout).toContain('✓ Every check passes in lesson 01. Well done!');
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('checks: 2 passed, 0 failed');
    }
    // Reference runs are not the learner's progress.
    expect(loadState(root).results['01']).toMatchObject({ passed: 1, failed: 1 });
  });

  it('grade: writes grade.json and junit.xml and exits 0 although a check fails', () => {
    const out = path.join(root, 'out');
    const r = kata(root, ['grade', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'grade.json'), 'utf8')) as {
      impl: string;
      total: { points: number; maxPoints: number };
      lessons: Array<{ id: string; checks: Array<{ status: string; message?: string }> }>;
    };
    expect(report.impl).toBe('learner');
    expect(report.total).toMatchObject({ points: 1, maxPoints: 2 });
    expect(report.lessons.map((l) => l.id)).toEqual(['01', '02']);
    expect(report.lessons[0]?.checks[1]?.message).toContain('add(1, 2) should be 3');
    expect(fs.readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('<failure message="add(1, 2) should be 3');
    expect(r.stdout).toMatch(/^total\s+1\/2 points \(learner\)$/m);
  });

  it('hint, info, and unknown lessons', () => {
    const h = kata(root, ['hint', '1']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Use the plus operator.');
    const i = kata(root, ['info', '01']);
    expect(i.stdout).toContain('README         lessons/01-adder/README.md');
    expect(i.stdout).toContain('files to edit  src/adder.ts');
    expect(i.stdout).toContain('hints          npm start -- hint 01 (1/2 revealed)');
    const u = kata(root, ['test', '07']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('there is no lesson "07" (lessons: 01 adder, 02 later lesson)');
  });

  it('no arguments without a terminal: the status list and the subcommands, no menu', () => {
    const r = kata(root, ['--no-doctor']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^▸ 01 adder\s+1\/2$/m);
    expect(r.stdout).toContain('Next: lesson 01 — adder (npm start -- info 01)');
    expect(r.stdout).toContain('No terminal, so no menu. Subcommands: list, test');
  });

  it('passes once the learner solves the lesson; then the diff is shown', () => {
    fs.copyFileSync(path.join(root, 'solutions', 'adder.ts'), path.join(root, 'src', 'adder.ts'));
    const r = kata(root, ['check', '01']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^✓ 01 adder\s+2\/2$/m);
    const d = kata(root, ['diff', '01']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain('src/ and solutions/ agree');
    const reset = kata(root, ['reset', '01']);
    expect(reset.code).toBe(1);
    expect(reset.stderr).toContain('--yes');
    expect(kata(root, ['reset', '01', '--yes']).code).toBe(0);
  });

  it('a vitest crash prints its output and exits 1', () => {
    const broken = makeFixture([ADDER]);
    try {
      fs.writeFileSync(path.join(broken, 'vitest.config.ts'), 'export default {{ broken');
      const r = kata(broken, ['test']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('vitest stopped without a report');
      expect(r.stderr.length).toBeGreaterThan(60);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  });
});

describe('evaluateLessons cache', () => {
  it('reuses a stored result while the fingerprint matches, re-runs when it does not', async () => {
    const root = makeFixture([ADDER]);
    try {
      const [lesson] = discoverLessons(root);
      updateState(root, (s) => {
        s.results['01'] = { passed: 7, failed: 0, skipped: 0, total: 7, at: 'then', fingerprint: lessonFingerprint(root, lesson!, 'learner') };
      });
      const cached = await evaluateLessons(root, [lesson!], { impl: 'learner', useCache: true });
      expect(cached.ok && cached.summaries[0]).toMatchObject({ passed: 7, cached: true, status: 'passed' });
      fs.appendFileSync(path.join(root, 'src', 'adder.ts'), '// edited\n');
      const fresh = await evaluateLessons(root, [lesson!], { impl: 'learner', useCache: true });
      expect(fresh.ok && fresh.summaries[0]).toMatchObject({ passed: 1, failed: 1, status: 'failing', first: true });
      expect(fresh.ok && fresh.summaries[0]?.cached).toBeFalsy();
      expect(loadState(root).results['01']).toMatchObject({ passed: 1, failed: 1 });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails a lesson whose code throws after its checks finished', async () => {
    const late = `import { expect, it } from 'vitest';
it('passes, then throws later', async () => {
  void Promise.reject(new Error('late rejection from the server'));
  await new Promise((r) => setTimeout(r, 20));
  expect(1).toBe(1);
});
`;
    const root = makeFixture([{ ...ADDER, test: late }]);
    try {
      const result = await evaluateLessons(root, discoverLessons(root), { impl: 'learner', useCache: false });
      expect(result.ok && result.summaries[0]).toMatchObject({ passed: 1, failed: 1, status: 'failing' });
      const failed = result.ok ? result.summaries[0]?.checks?.find((c) => c.status === 'failed') : undefined;
      expect(failed?.message).toContain('late rejection from the server');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports a lesson whose files are the stubs and whose checks all fail as not started', async () => {
    const root = makeFixture([{ ...ADDER, test: ADDER.test?.replace("toBe('function')", "toBe('nothing')") }]);
    try {
      const result = await evaluateLessons(root, discoverLessons(root), { impl: 'learner', useCache: false });
      expect(result.ok && result.summaries[0]).toMatchObject({ passed: 0, failed: 2, status: 'not-started', first: true });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
