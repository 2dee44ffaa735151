/**
 * The cp section's inputs: one directory tree as a tar, made once from a
 * fixed seed and cached, and a tar of one big file made on the fly.
 *
 * ```
 * .bench-cache/
 * └── cp-tree-<n>mb-<key hash>/
 *     ├── input.json     written last: the tar is complete once it exists (its bytes, files, folders)
 *     └── tree.tar       what both sides read: the PUT's body and `tar -xf -`'s stdin, the same bytes
 * ```
 * The tree of about `totalBytes` (100 MB; 20 MB with --quick): half of it in
 * one file, a quarter in a few files of megabytes, a quarter in about 2000
 * small files (1–24 kB) in nested folders, and a symlink per top folder:
 *
 * ```
 * big.bin                      50 MB, random
 * mid/m00.bin … mid/m07.txt    8 × ~3 MB, random and text
 * small/d00/e00/f0000.txt …    20 files a folder, 10 folders under each d*
 * small/d00/latest -> e00/f0000.txt
 * ```
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { cacheName, INPUT_MTIME, tarOf } from './inputs.js';
import { expectedTree } from './plans.js';
import type { ExpectedTree, PlanEntry } from './plans.js';
import { Prng } from './prng.js';

/** The cached tree's tar. */
export interface CpTree {
  /** The tar file both sides read. */
  tarFile: string;
  /** Its size: what MB/s is measured in. */
  tarBytes: number;
  /** Regular files, folders and symlinks in it, and the bytes of file content. */
  files: number;
  dirs: number;
  symlinks: number;
  contentBytes: number;
  /** What the tar extracts to. */
  expected: ExpectedTree;
}

const SEED = 'dockerlings-bench:cp';
/** Small files: this many per 100 MB of tree, 20 a folder, 10 folders a group. */
const SMALL_PER_100MB = 2000;
const SMALL_PER_DIR = 20;
const DIRS_PER_GROUP = 10;
const MID_FILES = 8;

const dir = (name: string): PlanEntry => ({ type: 'directory', name, mode: 0o755 });

/** The tree's entries, parents before children: a pure function of `totalBytes` and the seed. */
export function cpTreePlan(totalBytes: number): PlanEntry[] {
  const prng = new Prng(`${SEED}:${totalBytes}`);
  const entries: PlanEntry[] = [{ type: 'file', name: 'big.bin', mode: 0o644, size: Math.round(totalBytes / 2), content: 'random', seed: `${SEED}:big` }];
  entries.push(dir('mid'));
  for (let i = 0; i < MID_FILES; i++) {
    const content = i % 2 === 0 ? 'random' : 'text';
    const name = `mid/m${String(i).padStart(2, '0')}.${content === 'text' ? 'txt' : 'bin'}`;
    const size = Math.floor((totalBytes / 4 / MID_FILES) * (0.75 + 0.5 * prng.float()));
    entries.push({ type: 'file', name, mode: i % 3 === 0 ? 0o755 : 0o644, size, content, seed: `${SEED}:${name}` });
  }
  entries.push(dir('small'));
  const count = Math.max(SMALL_PER_DIR, Math.round((SMALL_PER_100MB * totalBytes) / 100e6));
  const budget = totalBytes / 4;
  let group = '';
  let leaf = '';
  for (let i = 0; i < count; i++) {
    if (i % SMALL_PER_DIR === 0) {
      const d = Math.floor(i / SMALL_PER_DIR);
      if (d % DIRS_PER_GROUP === 0) {
        group = `small/d${String(d / DIRS_PER_GROUP).padStart(2, '0')}`;
        entries.push(dir(group));
      }
      leaf = `${group}/e${String(d % DIRS_PER_GROUP).padStart(2, '0')}`;
      entries.push(dir(leaf));
    }
    const content = i % 4 === 3 ? 'random' : 'text';
    const name = `${leaf}/f${String(i).padStart(4, '0')}.${content === 'text' ? 'txt' : 'bin'}`;
    // Uniform around the mean that spends the budget: 8 % to 192 % of it (1–24 kB for 100 MB).
    const size = Math.max(1, Math.floor((budget / count) * (0.08 + 1.84 * prng.float())));
    entries.push({ type: 'file', name, mode: i % 9 === 0 ? 0o755 : 0o644, size, content, seed: `${SEED}:${name}` });
    if (i % (SMALL_PER_DIR * DIRS_PER_GROUP) === 0) entries.push({ type: 'symlink', name: `${group}/latest`, linkname: name.slice(group.length + 1) });
  }
  return entries;
}

/** The tree of about `totalBytes` as a tar in the cache, written on first use. */
export async function cpTreeSet(cacheRoot: string, totalBytes: number, log: (line: string) => void): Promise<CpTree> {
  const plan = cpTreePlan(totalBytes);
  const expected = expectedTree(plan);
  const folder = path.join(cacheRoot, cacheName(`cp-tree-${Math.round(totalBytes / 1e6)}mb`, { totalBytes, version: 1 }));
  const marker = path.join(folder, 'input.json');
  const tarFile = path.join(folder, 'tree.tar');
  let stored = await fs.readFile(marker, 'utf8').then((t) => JSON.parse(t) as { tarBytes: number }, () => undefined);
  if (!stored) {
    // A half-made tar (an interrupted run) is thrown away and made again.
    await fs.rm(folder, { recursive: true, force: true });
    await fs.mkdir(folder, { recursive: true });
    log(`making the cp tree: ${plan.length} entries, about ${Math.round(totalBytes / 1e6)} MB …`);
    await pipeline(tarOf(plan), createWriteStream(tarFile));
    stored = { tarBytes: (await fs.stat(tarFile)).size };
    await fs.writeFile(marker, JSON.stringify(stored, null, 2));
  }
  const values = [...expected.values()];
  const sizes = values.filter((v): v is number => typeof v === 'number');
  return {
    tarFile,
    tarBytes: stored.tarBytes,
    files: sizes.length,
    dirs: values.filter((v) => v === 'dir').length,
    symlinks: values.filter((v) => v === 'symlink').length,
    contentBytes: sizes.reduce((a, b) => a + b, 0),
    expected,
  };
}

/** A tar of the folders `names` (a few bytes, made in memory), to PUT the extraction points into place. */
export async function dirsTar(names: string[]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of tarOf(names.map(dir))) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Resolves when `stream` takes writes again, or is gone. */
function drainOrClose(stream: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('close', done);
  });
}

/**
 * A tar of one file `name` of `size` random bytes (AES-CTR keystream, 1 MiB at
 * a time), made as it is read: nothing of it is ever held whole, on either end.
 */
export function bigFileTar(name: string, size: number): Readable {
  const pack = tar.pack();
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(`${SEED}:${name}`).digest(), Buffer.alloc(16));
  const zeros = Buffer.alloc(1 << 20);
  const sink = pack.entry({ name, type: 'file', mode: 0o644, size, mtime: INPUT_MTIME }, (err) => (err ? pack.destroy(err) : pack.finalize()));
  // A reader that went away (the request failed) destroys the pack and the entry with it: the reader has that error already.
  sink.on('error', () => undefined);
  void (async () => {
    for (let left = size; left > 0; left -= zeros.length) {
      // The pack's own backpressure: wait while the reader has not taken what was written.
      if (!sink.write(cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left)))) await drainOrClose(sink);
      if (pack.destroying || sink.destroying) return;
    }
    sink.end(undefined); // streamx's end() takes an optional last chunk, its types a required one
  })();
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}
