/**
 * The learner's progress, kept in one git-ignored file:
 *
 * ```
 * .kata/
 *   state.json     { version: 1, hints: { "03": 2 }, results: { "03": { passed, failed, skipped, total, at, fingerprint } } }
 *   backups/       copies made by `reset` (see reset.ts)
 * ```
 *
 * Results are only a cache (they are recomputed from src/ when the fingerprint
 * changes), so deleting the file loses nothing but which hints were revealed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Impl } from './impl-switch.js';
import { lessonTestFiles, treeDir, type Lesson } from './lessons.js';

/** The cached outcome of a lesson's last run. */
export interface StoredResult {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  /** ISO time of the run. */
  at: string;
  /** See {@link lessonFingerprint}; the result is reused only while it matches. */
  fingerprint: string;
}

/** The whole state file. */
export interface KataState {
  version: 1;
  /** How many hints of each lesson were revealed. */
  hints: Record<string, number>;
  results: Record<string, StoredResult>;
}

/** The state file's path under a root. */
export function statePath(root: string): string {
  return path.join(root, '.kata', 'state.json');
}

/** A state with nothing in it. */
export function emptyState(): KataState {
  return { version: 1, hints: {}, results: {} };
}

const warned = new Set<string>();

/**
 * Reads the state. A missing file is an empty state; an unreadable or corrupt
 * one is an empty state too, after one warning per process (the next save
 * replaces it).
 */
export function loadState(root: string, warn: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): KataState {
  const file = statePath(root);
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return emptyState();
  }
  try {
    const data = JSON.parse(raw) as Partial<KataState>;
    if (data === null || typeof data !== 'object' || data.version !== 1) throw new Error('unknown format');
    return {
      version: 1,
      hints: isRecord(data.hints) ? (data.hints as Record<string, number>) : {},
      results: isRecord(data.results) ? (data.results as Record<string, StoredResult>) : {},
    };
  } catch {
    if (!warned.has(file)) {
      warned.add(file);
      warn(`warning: ${path.relative(root, file)} is unreadable; starting with a fresh progress file (revealed hints are forgotten)`);
    }
    return emptyState();
  }
}

function isRecord(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Writes the state atomically: a temp file beside it, then rename. */
export function saveState(root: string, state: KataState): void {
  writeFileAtomicSync(statePath(root), `${JSON.stringify(state, null, 2)}\n`);
}

/** Reads, changes and writes the state in one step; returns the new state. */
export function updateState(root: string, change: (state: KataState) => void): KataState {
  const state = loadState(root);
  change(state);
  saveState(root, state);
  return state;
}

/**
 * Writes a file so a reader sees either the old or the new content, never half
 * (synchronously, and without fsync: the tool's own small files, not lesson code).
 */
export function writeFileAtomicSync(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Bumped when the way results are counted changes, so older cached results are re-run. */
const RESULTS_FORMAT = 2;

/**
 * A hash of everything a lesson's result depends on: the implementation tree,
 * the content of the lesson's files in that tree, and its test file with the helpers beside it. A missing
 * file hashes as missing, so creating it changes the fingerprint.
 * @param extraFiles more tree files the checks use, e.g. the files of earlier
 *   lessons (a client command cannot work without the client transport).
 */
export function lessonFingerprint(root: string, lesson: Lesson, impl: Impl, extraFiles: string[] = []): string {
  const hash = createHash('sha256');
  hash.update(`format:${RESULTS_FORMAT}\0impl:${impl}\0`);
  const tree = treeDir(root, impl);
  const inputs = [
    ...[...new Set([...lesson.files, ...extraFiles])].sort().map((f) => ({ label: `tree:${f}`, file: path.join(tree, f) })),
    ...lessonTestFiles(root, lesson).map((f) => ({ label: `test:${f}`, file: path.join(root, f) })),
  ];
  for (const { label, file } of inputs) {
    hash.update(`${label}\0`);
    try {
      hash.update(fs.readFileSync(file));
    } catch {
      hash.update('<missing>');
    }
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}
