/**
 * The stub snapshot `kata/stubs.json`: `{ "<path relative to src/>": "<content>" }`
 * for every lesson file, as shipped. `reset` restores from it, the status
 * logic compares against it ("not started"), and `verify-stubs` proves that
 * src/ still holds exactly these stubs, and that every file no lesson lists
 * says in its first comment that it is provided.
 */
import fs from 'node:fs';
import path from 'node:path';
import { treeDir, treeName, type Lesson } from './lessons.js';
import { writeFileAtomicSync } from './state.js';

/** Path of a stub to its content. */
export type StubSnapshot = Record<string, string>;

/** The snapshot's path under a root. */
export function stubsPath(root: string): string {
  return path.join(root, 'kata', 'stubs.json');
}

/** Reads the snapshot; a missing or unreadable file is an empty snapshot. */
export function loadStubs(root: string): StubSnapshot {
  try {
    const data = JSON.parse(fs.readFileSync(stubsPath(root), 'utf8')) as unknown;
    return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as StubSnapshot) : {};
  } catch {
    return {};
  }
}

/**
 * Writes the snapshot from the current src/ files of every lesson. Returns the
 * paths written and warnings for files that have no `TODO(lesson-` marker
 * (a sign that solved code is being snapshotted).
 * @throws Error naming the lesson files missing from src/.
 */
export function snapshotStubs(root: string, lessons: Lesson[]): { files: string[]; warnings: string[] } {
  const src = treeDir(root, 'learner');
  const snapshot: StubSnapshot = {};
  const missing: string[] = [];
  const warnings: string[] = [];
  for (const lesson of lessons) {
    for (const file of lesson.files) {
      let content: string;
      try {
        content = fs.readFileSync(path.join(src, file), 'utf8');
      } catch {
        missing.push(`src/${file} (lesson ${lesson.id})`);
        continue;
      }
      if (!content.includes(`TODO(lesson-${lesson.id})`)) {
        warnings.push(`src/${file} has no TODO(lesson-${lesson.id}) marker: is it really the stub?`);
      }
      snapshot[file] = content;
    }
  }
  if (missing.length > 0) throw new Error(`these lesson files are missing: ${missing.join(', ')}`);
  const sorted = Object.fromEntries(Object.entries(snapshot).sort(([a], [b]) => a.localeCompare(b)));
  writeFileAtomicSync(stubsPath(root), `${JSON.stringify(sorted, null, 2)}\n`);
  return { files: Object.keys(sorted), warnings };
}

/** One disagreement between src/ and the snapshot. */
export interface StubProblem {
  /** Path relative to src/. */
  file: string;
  problem: 'differs from the snapshot' | 'is missing from the snapshot' | 'is missing from src/' | 'is in the snapshot but no lesson lists it';
}

/** Compares every lesson file in src/ with the snapshot; an empty list means src/ holds the stubs. */
export function verifyStubs(root: string, lessons: Lesson[]): StubProblem[] {
  const snapshot = loadStubs(root);
  const src = treeDir(root, 'learner');
  const problems: StubProblem[] = [];
  const owned = new Set<string>();
  for (const lesson of lessons) {
    for (const file of lesson.files) {
      owned.add(file);
      const stub = snapshot[file];
      let content: string | undefined;
      try {
        content = fs.readFileSync(path.join(src, file), 'utf8');
      } catch {
        content = undefined;
      }
      if (content === undefined) problems.push({ file, problem: 'is missing from src/' });
      else if (stub === undefined) problems.push({ file, problem: 'is missing from the snapshot' });
      else if (stub !== content) problems.push({ file, problem: 'differs from the snapshot' });
    }
  }
  for (const file of Object.keys(snapshot)) {
    if (!owned.has(file)) problems.push({ file, problem: 'is in the snapshot but no lesson lists it' });
  }
  return problems;
}

/**
 * Whether a lesson's files in a tree are byte-identical to their stubs. False
 * when the lesson has no files or a file has no stub (nothing to compare).
 */
export function isUntouched(treeRoot: string, lesson: Lesson, snapshot: StubSnapshot): boolean {
  if (lesson.files.length === 0) return false;
  return lesson.files.every((file) => {
    const stub = snapshot[file];
    if (stub === undefined) return false;
    try {
      return fs.readFileSync(path.join(treeRoot, file), 'utf8') === stub;
    } catch {
      return false;
    }
  });
}

/** The word a provided file's first comment must contain. */
export const PROVIDED_MARK = 'Provided';

/**
 * The comment a file starts with (after a `#!` line and blank lines): a
 * `/* … *\/` block, or a run of `//` or `#` lines. Empty when the file starts
 * with code.
 */
export function leadingComment(text: string): string {
  const body = text.replace(/^\uFEFF/, '').replace(/^#![^\n]*\n/, '').replace(/^\s+/, '');
  if (body.startsWith('/*')) {
    const end = body.indexOf('*/');
    return end < 0 ? body : body.slice(0, end + 2);
  }
  const lines: string[] = [];
  for (const line of body.split('\n')) {
    if (!/^\s*(\/\/|#)/.test(line)) break;
    lines.push(line);
  }
  return lines.join('\n');
}

/**
 * The files of src/ and solutions/ that no lesson.json lists (so they are
 * provided, the same in both trees) and whose first comment does not contain
 * the word {@link PROVIDED_MARK}: a learner must see at a glance that such a
 * file is not theirs to write. Paths relative to the root, sorted.
 */
export function unmarkedProvidedFiles(root: string, lessons: Lesson[]): string[] {
  const owned = new Set(lessons.flatMap((l) => l.files));
  const unmarked: string[] = [];
  for (const impl of ['learner', 'reference'] as const) {
    const tree = treeDir(root, impl);
    for (const file of filesUnder(tree)) {
      if (owned.has(file)) continue;
      const comment = leadingComment(fs.readFileSync(path.join(tree, file), 'utf8'));
      if (!new RegExp(`\\b${PROVIDED_MARK}\\b`).test(comment)) unmarked.push(`${treeName(impl)}/${file}`);
    }
  }
  return unmarked.sort();
}

/** Every file below `dir` (dot files left out), as paths relative to it with `/`; none when it does not exist. */
function filesUnder(dir: string, prefix = ''): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.name.startsWith('.'))
    .flatMap((e) => {
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (e.isDirectory()) return filesUnder(dir, rel);
      return e.isFile() ? [rel] : [];
    });
}
