/**
 * Resetting a lesson's files to their stubs, after keeping the learner's version:
 *
 * ```
 * .kata/backups/
 *   03-2025-01-31T10-20-30.123Z/
 *     daemon/router.ts      the learner's file as it was before the reset
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { treeDir, type Lesson } from './lessons.js';
import { writeFileAtomicSync } from './state.js';
import type { StubSnapshot } from './stubs.js';

/** What a reset did. */
export interface ResetResult {
  /** The backup folder relative to the root; absent when nothing needed a backup. */
  backupDir?: string;
  /** Files (relative to src/) that were backed up. */
  backedUp: string[];
  /** Files (relative to src/) written from the stubs. */
  restored: string[];
  /** True when every file already was its stub: nothing was changed. */
  alreadyStub: boolean;
}

/** A timestamp safe in a folder name on every platform (`:` replaced by `-`). */
export function backupStamp(date = new Date()): string {
  return date.toISOString().replace(/:/g, '-');
}

/**
 * Copies the learner's current files of the lesson into a backup folder, then
 * writes the stubs over them (atomically, file by file).
 * @throws Error before touching anything when a file has no stub in the snapshot.
 */
export function resetLesson(root: string, lesson: Lesson, stubs: StubSnapshot, now = new Date()): ResetResult {
  const unknown = lesson.files.filter((f) => stubs[f] === undefined);
  if (unknown.length > 0) {
    throw new Error(`kata/stubs.json has no stub for ${unknown.map((f) => `src/${f}`).join(', ')}; cannot reset lesson ${lesson.id}`);
  }
  const src = treeDir(root, 'learner');
  const current = new Map<string, string | undefined>();
  for (const file of lesson.files) {
    try {
      current.set(file, fs.readFileSync(path.join(src, file), 'utf8'));
    } catch {
      current.set(file, undefined);
    }
  }
  const changed = lesson.files.filter((f) => current.get(f) !== stubs[f]);
  if (changed.length === 0) return { backedUp: [], restored: [], alreadyStub: true };

  const backedUp = changed.filter((f) => current.get(f) !== undefined);
  let backupDir: string | undefined;
  if (backedUp.length > 0) {
    backupDir = path.join('.kata', 'backups', `${lesson.id}-${backupStamp(now)}`);
    for (const file of backedUp) {
      const target = path.join(root, backupDir, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, current.get(file) ?? '');
    }
  }
  for (const file of changed) writeFileAtomicSync(path.join(src, file), stubs[file] ?? '');
  const result: ResetResult = { backedUp, restored: changed, alreadyStub: false };
  if (backupDir) result.backupDir = backupDir;
  return result;
}
