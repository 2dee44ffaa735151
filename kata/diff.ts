/**
 * The reference diff of a lesson: a unified diff of its files, `src/` against
 * `solutions/`, kept back until the lesson passes (or the learner insists).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Lesson } from './lessons.js';
import type { KataState } from './state.js';

/** Whether the lesson's last recorded check passed (every non-skipped check, at least one). */
export function lessonLastPassed(state: KataState, lesson: Lesson): boolean {
  const r = state.results[lesson.id];
  return r !== undefined && r.failed === 0 && r.passed > 0;
}

/**
 * The unified diff of the lesson's files, src/ → solutions/, with paths
 * relative to the root. Uses `git diff --no-index` (coloured on request) and
 * falls back to `diff -u`. An empty string means no differences.
 */
export function lessonDiff(root: string, lesson: Lesson, color: boolean): string {
  const parts: string[] = [];
  for (const file of lesson.files) {
    const a = path.join('src', file);
    const b = path.join('solutions', file);
    const left = fs.existsSync(path.join(root, a)) ? a : '/dev/null';
    const right = fs.existsSync(path.join(root, b)) ? b : '/dev/null';
    if (left === '/dev/null' && right === '/dev/null') continue;
    parts.push(diffTwo(root, left, right, color));
  }
  return parts.filter(Boolean).join('');
}

function diffTwo(root: string, a: string, b: string, color: boolean): string {
  const git = spawnSync('git', ['diff', '--no-index', color ? '--color=always' : '--no-color', '--', a, b], {
    cwd: root,
    encoding: 'utf8',
  });
  if (!git.error && (git.status === 0 || git.status === 1)) return git.stdout;
  const diff = spawnSync('diff', ['-u', a, b], { cwd: root, encoding: 'utf8' });
  if (!diff.error && (diff.status === 0 || diff.status === 1)) return diff.stdout;
  throw new Error('neither git nor diff is installed: compare the files yourself');
}
