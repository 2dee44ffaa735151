/**
 * Lesson discovery: every `lessons/NN-slug/` folder is one lesson.
 *
 * ```
 * lessons/03-daemon-server/
 *   lesson.json    { "title", "summary", "files": [paths relative to src/ and solutions/] }
 *   README.md      the tutorial step
 *   hints.md       "## Hint 1", "## Hint 2", … revealed one at a time
 * test/lessons/03-daemon-server.test.ts   the graded checks
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Impl } from './impl-switch.js';

/** One lesson as the workshop tool sees it. */
export interface Lesson {
  /** The two-digit number, e.g. `03`. */
  id: string;
  /** The folder name without the number, e.g. `daemon-server`. */
  slug: string;
  /** `lessons/<dir>` relative to the repository root, e.g. `lessons/03-daemon-server`. */
  dir: string;
  /** Title from lesson.json; the slug in words when lesson.json is missing. */
  title: string;
  /** One sentence from lesson.json; empty when missing. */
  summary: string;
  /** Files the learner edits, relative to the implementation tree (src/ or solutions/). */
  files: string[];
  /** The graded checks, relative to the root: `test/lessons/NN-slug.test.ts`. */
  testFile: string;
  /** Why lesson.json could not be read, when it could not; the lesson still shows. */
  problem?: string;
}

const LESSON_DIR = /^(\d{2})-([a-z0-9][a-z0-9-]*)$/;

/** The slug in words: `client-transport` → `client transport`. */
export function lessonName(lesson: Lesson): string {
  return lesson.slug.replace(/-/g, ' ');
}

/** The folder of an implementation tree under a root: `src/` for the learner, `solutions/` for the reference. */
export function treeDir(root: string, impl: Impl): string {
  return path.join(root, impl === 'reference' ? 'solutions' : 'src');
}

/** The tree's folder name relative to the root, for messages: `src` or `solutions`. */
export function treeName(impl: Impl): string {
  return impl === 'reference' ? 'solutions' : 'src';
}

/**
 * Finds every lesson under `<root>/lessons`, sorted by number. A folder whose
 * lesson.json is missing or invalid still appears, with no files and a `problem`.
 * No `lessons/` folder at all gives an empty list.
 */
export function discoverLessons(root: string): Lesson[] {
  const base = path.join(root, 'lessons');
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(base, { withFileTypes: true });
  } catch {
    return [];
  }
  const lessons: Lesson[] = [];
  for (const entry of entries) {
    const match = LESSON_DIR.exec(entry.name);
    if (!entry.isDirectory() || !match) continue;
    const [, id = '', slug = ''] = match;
    const lesson: Lesson = {
      id,
      slug,
      dir: `lessons/${entry.name}`,
      title: slug.replace(/-/g, ' '),
      summary: '',
      files: [],
      testFile: `test/lessons/${entry.name}.test.ts`,
    };
    readLessonJson(path.join(base, entry.name, 'lesson.json'), lesson);
    lessons.push(lesson);
  }
  return lessons.sort((a, b) => a.id.localeCompare(b.id));
}

function readLessonJson(file: string, lesson: Lesson): void {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    lesson.problem = `${lesson.dir}/lesson.json is missing`;
    return;
  }
  try {
    const data = JSON.parse(raw) as { title?: unknown; summary?: unknown; files?: unknown };
    if (typeof data.title === 'string' && data.title.trim()) lesson.title = data.title.trim();
    if (typeof data.summary === 'string') lesson.summary = data.summary.trim();
    if (Array.isArray(data.files) && data.files.every((f) => typeof f === 'string')) {
      lesson.files = (data.files as string[]).map((f) => f.replace(/^\.?\//, '').replace(/^(src|solutions)\//, ''));
    } else {
      lesson.problem = `${lesson.dir}/lesson.json has no "files" list of strings`;
    }
  } catch (err) {
    lesson.problem = `${lesson.dir}/lesson.json is not valid JSON: ${(err as Error).message}`;
  }
}

/**
 * Picks a lesson by what a learner types: `3`, `03`, `03-daemon-server` or `daemon-server`.
 * @throws Error listing the known lessons when nothing matches.
 */
export function findLesson(lessons: Lesson[], arg: string): Lesson {
  const wanted = arg.trim().replace(/^lessons\//, '').replace(/\/$/, '');
  const asNumber = /^\d{1,2}$/.test(wanted) ? wanted.padStart(2, '0') : undefined;
  const found = lessons.find(
    (l) => l.id === asNumber || `${l.id}-${l.slug}` === wanted || l.slug === wanted,
  );
  if (found) return found;
  const known = lessons.map((l) => `${l.id} ${lessonName(l)}`).join(', ') || 'none yet';
  throw new Error(`there is no lesson "${arg}" (lessons: ${known})`);
}

/** Selects lessons by the arguments of `test NN…`; no arguments selects all. */
export function selectLessons(lessons: Lesson[], args: string[]): Lesson[] {
  if (args.length === 0) return lessons;
  const picked = new Set(args.map((a) => findLesson(lessons, a)));
  return lessons.filter((l) => picked.has(l));
}

/** Whether the lesson's graded-check file exists under the root. */
export function hasTestFile(root: string, lesson: Lesson): boolean {
  return fs.existsSync(path.join(root, lesson.testFile));
}

/** A short range label for progress lines: `03`, `00–03`, or `00, 02, 05`. */
export function rangeLabel(lessons: Lesson[]): string {
  const ids = lessons.map((l) => l.id);
  if (ids.length <= 1) return ids.join('');
  const nums = ids.map(Number);
  const contiguous = nums.every((n, i) => i === 0 || n === (nums[i - 1] ?? 0) + 1);
  return contiguous ? `${ids[0]}–${ids[ids.length - 1]}` : ids.join(', ');
}

/**
 * The lesson's check files, relative to the root: its test file, then the
 * modules beside it in `test/lessons/NN-slug/` (helpers split out of a long
 * test file), sorted. A change to any of them changes the lesson's result.
 */
export function lessonTestFiles(root: string, lesson: Lesson): string[] {
  const folder = lesson.testFile.replace(/\.test\.ts$/, '');
  let helpers: string[] = [];
  try {
    helpers = fs.readdirSync(path.join(root, folder)).filter((name) => name.endsWith('.ts')).sort().map((name) => `${folder}/${name}`);
  } catch {
    // no helpers folder: the test file stands alone
  }
  return [lesson.testFile, ...helpers];
}
