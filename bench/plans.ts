/**
 * What the benchmark's layers contain, as lists of tar entries (plans) that
 * bench/inputs.ts turns into tar+gzip files.
 *
 * Plans are pure functions of their parameters and a seed, so the same
 * parameters always give the same layers, and the expected rootfs after
 * unpacking is known without unpacking anything.
 */
import path from 'node:path/posix';
import { Prng } from './prng.js';

/** One tar entry of a planned layer. Whiteouts are empty files named `.wh.<name>`. */
export type PlanEntry =
  | { type: 'directory'; name: string; mode: number }
  | { type: 'file'; name: string; mode: number; size: number; content: 'text' | 'random'; seed: string }
  | { type: 'symlink'; name: string; linkname: string }
  | { type: 'link'; name: string; linkname: string };

/** The rootfs a plan should unpack to: path → `dir`, `symlink` or a regular file's size. */
export type ExpectedTree = Map<string, 'dir' | 'symlink' | number>;

/** File sizes of a single big layer: each class holds about a quarter of the bytes. */
const SIZE_CLASSES = [4 << 10, 64 << 10, 512 << 10, 4 << 20];
const FILES_PER_DIR = 200;

function dirEntry(name: string): PlanEntry {
  return { type: 'directory', name, mode: 0o755 };
}

/**
 * One layer of about `totalBytes` of file content, like a distribution's
 * `/usr`: many small files and a few big ones (4 KiB to 4 MiB, each size class
 * about a quarter of the bytes), text and random content half and half by
 * bytes, some executables, one symlink and one hardlink per folder.
 */
export function singleLayerPlan(seed: string, totalBytes: number): PlanEntry[] {
  const prng = new Prng(`${seed}:single`);
  const sizes: number[] = [];
  for (const base of SIZE_CLASSES) {
    let budget = totalBytes / SIZE_CLASSES.length;
    while (budget > base / 2) {
      const size = Math.floor(base * (0.75 + 0.5 * prng.float()));
      sizes.push(size);
      budget -= size;
    }
  }
  // Mix the classes so every folder has a bit of everything, as real trees do.
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = prng.below(i + 1);
    [sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!];
  }
  const entries: PlanEntry[] = [dirEntry('usr'), dirEntry('usr/share')];
  let dir = '';
  sizes.forEach((size, i) => {
    if (i % FILES_PER_DIR === 0) {
      dir = `usr/share/d${String(i / FILES_PER_DIR).padStart(3, '0')}`;
      entries.push(dirEntry(dir));
    }
    // Text and random alternate within each size class, so each kind gets about half the bytes.
    const content = i % 2 === 0 ? 'text' : 'random';
    const name = `${dir}/f${String(i).padStart(6, '0')}.${content === 'text' ? 'txt' : 'bin'}`;
    entries.push({ type: 'file', name, mode: i % 7 === 0 ? 0o755 : 0o644, size, content, seed: `${seed}:${name}` });
    if (i % FILES_PER_DIR === 1) {
      entries.push({ type: 'symlink', name: `${dir}/latest`, linkname: path.basename(name) });
      entries.push({ type: 'link', name: `${dir}/hardlink`, linkname: name });
    }
  });
  return entries;
}

const SERIES_DIRS = ['app/a', 'app/b', 'app/c', 'app/d', 'app/e'];
const SERIES_NAMES = 8;
const FILES_PER_SERIES_LAYER = 4;

/**
 * `count` layers of about `bytesPerLayer` each, like an image built step by
 * step: each layer writes a few files (new ones, or overwriting earlier ones)
 * under `app/`; every 5th layer also deletes a file (`.wh.<name>`) and every
 * 10th empties a folder (`.wh..wh..opq`) before writing into it.
 */
export function layerSeriesPlan(seed: string, count: number, bytesPerLayer: number): { layers: PlanEntry[][]; expected: ExpectedTree } {
  const prng = new Prng(`${seed}:series`);
  const tree: ExpectedTree = new Map([['app', 'dir']]);
  const layers: PlanEntry[][] = [];
  for (let n = 0; n < count; n++) {
    const entries: PlanEntry[] = [dirEntry('app')];
    const touched = new Set<string>();
    const touchDir = (dir: string): void => {
      if (touched.has(dir)) return;
      touched.add(dir);
      entries.push(dirEntry(dir));
      tree.set(dir, 'dir');
    };
    if (n % 10 === 9) {
      const dir = SERIES_DIRS[prng.below(SERIES_DIRS.length)]!;
      touchDir(dir);
      entries.push({ type: 'file', name: `${dir}/.wh..wh..opq`, mode: 0o644, size: 0, content: 'text', seed: '' });
      for (const p of [...tree.keys()]) if (p.startsWith(`${dir}/`)) tree.delete(p);
    }
    if (n % 5 === 4) {
      const files = [...tree.entries()].filter(([, v]) => typeof v === 'number').map(([p]) => p);
      const victim = files[prng.below(files.length)];
      if (victim !== undefined) {
        touchDir(path.dirname(victim));
        entries.push({ type: 'file', name: path.join(path.dirname(victim), `.wh.${path.basename(victim)}`), mode: 0o644, size: 0, content: 'text', seed: '' });
        tree.delete(victim);
      }
    }
    for (let k = 0; k < FILES_PER_SERIES_LAYER; k++) {
      const dir = SERIES_DIRS[prng.below(SERIES_DIRS.length)]!;
      const content = prng.below(2) === 0 ? 'text' : 'random';
      const name = `${dir}/f${prng.below(SERIES_NAMES)}.${content === 'text' ? 'txt' : 'bin'}`;
      if (entries.some((e) => e.name === name || e.name === path.join(dir, `.wh.${path.basename(name)}`))) continue;
      const size = Math.floor((bytesPerLayer / FILES_PER_SERIES_LAYER) * (0.75 + 0.5 * prng.float()));
      touchDir(dir);
      entries.push({ type: 'file', name, mode: 0o644, size, content, seed: `${seed}:${n}:${name}` });
      tree.set(name, size);
    }
    // A tar lists a folder before what it holds; sorting by name keeps that and makes layers reproducible.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    layers.push(entries);
  }
  return { layers, expected: tree };
}

/** The rootfs a single layer unpacks to. */
export function expectedTree(entries: PlanEntry[]): ExpectedTree {
  const tree: ExpectedTree = new Map();
  const sizes = new Map<string, number>();
  for (const e of entries) {
    if (e.type === 'directory') tree.set(e.name, 'dir');
    else if (e.type === 'symlink') tree.set(e.name, 'symlink');
    else if (e.type === 'file') {
      tree.set(e.name, e.size);
      sizes.set(e.name, e.size);
    } else tree.set(e.name, sizes.get(e.linkname) ?? 0);
  }
  return tree;
}
