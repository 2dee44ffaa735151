/**
 * Timing helpers: median of fresh runs, with the input read once beforehand
 * and written data flushed between runs, so every tool starts from the same
 * page-cache state.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ExpectedTree } from './plans.js';

const exec = promisify(execFile);

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Reads files once, so the first timed run does not pay for cold disk reads the others do not. */
export async function warmUp(files: string[]): Promise<void> {
  for (const file of files) {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) void chunk;
  }
}

/**
 * Flushes dirty pages to disk (`sync`), so a run does not pay for the
 * write-back of the one before it.
 */
export async function flushWrites(): Promise<void> {
  await exec('sync').catch(() => undefined);
}

/** The outcome of one timed case: every run's seconds, or why it could not run. */
export interface Timing {
  runs: number[];
  seconds?: number;
  error?: string;
}

/**
 * Runs `run(target)` `times` times, each into a fresh empty folder under
 * `workDir`, and returns the median. The folders are left for the caller to
 * remove once every case has run: on ext4 without a journal, creating files
 * soon after deleting thousands is several times slower (the inode allocator
 * skips recently deleted inodes one by one), which would punish whichever
 * tool runs after a deletion.
 * The first failure stops the case and is reported instead of a time.
 * `check` (untimed) may inspect the first run's output and throw to fail the case.
 */
export async function timeRuns(
  workDir: string,
  times: number,
  run: (target: string) => Promise<void>,
  check?: (target: string) => Promise<void>,
): Promise<Timing> {
  const runs: number[] = [];
  for (let i = 0; i < times; i++) {
    const target = await fs.mkdtemp(path.join(workDir, 'run-'));
    try {
      await flushWrites();
      const start = process.hrtime.bigint();
      await run(target);
      runs.push(Number(process.hrtime.bigint() - start) / 1e9);
      if (i === 0 && check) await check(target);
    } catch (err) {
      return { runs, error: (err as Error).message.split('\n')[0] };
    }
  }
  return { runs, seconds: median(runs) };
}

/**
 * Compares an unpacked rootfs with the tree its plan describes.
 * @returns the first difference found, or undefined when they match.
 */
export async function diffTree(dir: string, expected: ExpectedTree): Promise<string | undefined> {
  const found = new Set<string>();
  const walk = async (rel: string): Promise<string | undefined> => {
    for (const dirent of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const name = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const want = expected.get(name);
      if (want === undefined) return `unexpected ${name}`;
      found.add(name);
      if (dirent.isDirectory()) {
        if (want !== 'dir') return `${name} is a folder`;
        const inner = await walk(name);
        if (inner) return inner;
      } else if (dirent.isSymbolicLink()) {
        if (want !== 'symlink') return `${name} is a symlink`;
      } else if (dirent.isFile()) {
        const { size } = await fs.stat(path.join(dir, name));
        if (want !== size) return `${name} has ${size} bytes, expected ${String(want)}`;
      } else return `${name} has an unexpected type`;
    }
    return undefined;
  };
  const difference = await walk('');
  if (difference) return difference;
  for (const name of expected.keys()) if (!found.has(name)) return `${name} is missing`;
  return undefined;
}
