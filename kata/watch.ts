/**
 * Watch mode: re-check a lesson each time one of its files, its test file or a
 * helper beside it is saved. Folders are watched (not files), because many
 * editors save by writing a new file and renaming it over the old one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Impl } from './impl-switch.js';
import { lessonTestFiles, treeDir, type Lesson } from './lessons.js';

/** The absolute files whose change triggers a re-check. */
export function watchedFiles(root: string, lesson: Lesson, impl: Impl): string[] {
  const tree = treeDir(root, impl);
  return [...lesson.files.map((f) => path.join(tree, f)), ...lessonTestFiles(root, lesson).map((f) => path.join(root, f))];
}

/** Options of {@link watchLesson}. */
export interface WatchOptions {
  /** Runs one check; the next one waits until it finishes. */
  run: () => Promise<void>;
  signal: AbortSignal;
  debounceMs?: number;
}

/**
 * Runs once, then again after every save (debounced; saves during a run queue
 * one more run). Resolves when the signal aborts.
 */
export async function watchLesson(files: string[], options: WatchOptions): Promise<void> {
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const dir = path.dirname(file);
    if (!fs.existsSync(dir)) continue;
    const names = byDir.get(dir) ?? new Set<string>();
    names.add(path.basename(file));
    byDir.set(dir, names);
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  const trigger = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = options.run().finally(() => {
      running = undefined;
      if (again && !options.signal.aborted) {
        again = false;
        trigger();
      }
    });
  };

  const watchers = [...byDir].map(([dir, names]) =>
    fs.watch(dir, (_event, name) => {
      if (name === null || !names.has(path.basename(name.toString()))) return;
      clearTimeout(timer);
      timer = setTimeout(trigger, options.debounceMs ?? 200);
    }),
  );
  trigger();
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  clearTimeout(timer);
  for (const w of watchers) w.close();
  await running;
}
