/**
 * Progressive hints: `lessons/NN-slug/hints.md` split on `## Hint N` headings,
 * revealed one at a time. How many were revealed is remembered in the state file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Lesson } from './lessons.js';
import { loadState, updateState } from './state.js';

/** One hint: its heading text and its body. */
export interface Hint {
  title: string;
  body: string;
}

const HEADING = /^##\s+Hint\s+\d+\b.*$/gm;

/** Splits hints.md into hints; text before the first `## Hint` heading is ignored. */
export function parseHints(markdown: string): Hint[] {
  const headings = [...markdown.matchAll(HEADING)];
  return headings.map((m, i) => {
    const start = (m.index ?? 0) + m[0].length;
    const end = headings[i + 1]?.index ?? markdown.length;
    return { title: m[0].replace(/^##\s+/, '').trim(), body: markdown.slice(start, end).trim() };
  });
}

/** The lesson's hints; none when hints.md is missing. */
export function readHints(root: string, lesson: Lesson): Hint[] {
  try {
    return parseHints(fs.readFileSync(path.join(root, lesson.dir, 'hints.md'), 'utf8'));
  } catch {
    return [];
  }
}

/** How many hints of the lesson were revealed so far. */
export function revealedCount(root: string, lesson: Lesson): number {
  const n = loadState(root).hints[lesson.id] ?? 0;
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** What revealing produced. */
export interface HintReveal {
  /** Every hint revealed so far, the new one last. */
  revealed: Hint[];
  total: number;
  /** False when every hint had already been revealed (nothing new). */
  revealedNew: boolean;
}

/** Reveals the next hint of the lesson and remembers it. */
export function revealNextHint(root: string, lesson: Lesson): HintReveal {
  const hints = readHints(root, lesson);
  const before = Math.min(revealedCount(root, lesson), hints.length);
  if (before >= hints.length) {
    return { revealed: hints.slice(0, before), total: hints.length, revealedNew: false };
  }
  updateState(root, (s) => {
    s.hints[lesson.id] = before + 1;
  });
  return { revealed: hints.slice(0, before + 1), total: hints.length, revealedNew: true };
}
