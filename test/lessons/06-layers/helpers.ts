/**
 * What lesson 06's checks (../06-layers.test.ts) share: the files they name,
 * layers crafted with tar-stream (never with the code under test), trees
 * written on disk, and ways to look at a result: lstat modes, every path
 * outside the rootfs, the entries of a layer read back. The helpers that work
 * on the current check's temp dir take it as a parameter; the test file binds them.
 */
import { expect } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { applyLayer } from '#kata/image/apply-layer.js';
import { LayerEscapeError } from '#kata/image/layer-errors.js';
import type { LayerEscapeKind } from '#kata/image/layer-errors.js';
import { describeError, rejectionOf } from '../../support/outcomes.js';
import { sha256, tarOf as tarOfEntries } from '../../support/bytes.js';
import type { TarEntry } from '../../support/bytes.js';

export const APPLY = 'src/image/apply-layer.ts';
export const ENTRY = 'src/image/layer-applier.ts';
export const WHITEOUTS = 'src/image/whiteouts.ts';
export const OWNERSHIP = 'src/image/ownership.ts';
export const SAFE = 'src/image/safe-path.ts';
export const UNPACK = 'src/image/unpack-image.ts';
export const CREATE = 'src/image/create-layer.ts';

export const isRoot = process.getuid?.() === 0;
export const T1 = new Date('2020-01-02T03:04:05Z');
export const T2 = new Date('2021-06-07T08:09:10Z');
export const T3 = new Date('2022-11-12T13:14:15Z');

// ---------------------------------------------------------------- crafting layers

/** One entry of a crafted layer (support/bytes.ts's TarEntry). */
export type Spec = TarEntry;

/** A tar archive of the given entries, in this order, written by tar-stream; T1 is the default mtime. */
export function tarOf(entries: Spec[]): Promise<Buffer> {
  return tarOfEntries(entries, { mtime: T1 });
}

/** The bytes as a stream of small chunks, the first one a single byte. */
export function chunked(data: Buffer, size = 1000): Readable {
  const pieces = [data.subarray(0, 1)];
  for (let i = 1; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return Readable.from(pieces);
}

/** What applyLayer takes besides the rootfs and the layer. */
export type ApplyOptions = Parameters<typeof applyLayer>[2];

/** Applies a layer to `rootfs`, fed in small chunks. */
export function applyTo(rootfs: string, layer: Buffer, options?: ApplyOptions) {
  return applyLayer(rootfs, chunked(layer), options);
}

// ---------------------------------------------------------------- looking at the result

/** Every path under `dir`, relative, without following symlinks. */
export async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    out.push(rel);
    if (entry.isDirectory()) out.push(...(await walk(path.join(dir, entry.name), rel)));
  }
  return out.sort();
}

/** Everything under the temp dir `tmp` except the rootfs: names, types, sizes, modes, link counts, contents. */
export async function outsideOf(tmp: string): Promise<string[]> {
  const lines: string[] = [];
  for (const rel of await walk(tmp)) {
    if (rel === 'a/rootfs' || rel.startsWith('a/rootfs/')) continue;
    const s = await fs.lstat(path.join(tmp, rel));
    let what = s.isDirectory() ? 'dir' : s.isSymbolicLink() ? `-> ${await fs.readlink(path.join(tmp, rel))}` : 'file';
    if (s.isFile()) what += ` ${sha256(await fs.readFile(path.join(tmp, rel)))}`;
    lines.push(`${rel} ${what} mode=${(s.mode & 0o7777).toString(8)} nlink=${s.isDirectory() ? '-' : s.nlink}`);
  }
  return lines;
}

/** How a check applies layers and looks outside its rootfs: {@link applyTo} and {@link outsideOf}, bound to its temp dir. */
export interface Check {
  apply(layer: Buffer, options?: ApplyOptions): Promise<unknown>;
  outside(): Promise<string[]>;
}

/** Applies a hostile layer and checks the refusal: the error, its kind, the entry named, and nothing touched outside. */
export async function expectRefusedIn(check: Check, layer: Buffer, kind: LayerEscapeKind, entry: string, where: string, options?: ApplyOptions) {
  const { apply, outside } = check;
  const before = await outside();
  const err = await rejectionOf(apply(layer, options));
  expect(err, `applyLayer must throw a LayerEscapeError for "${entry}" (${where}); it gave ${describeError(err)}`).toBeInstanceOf(
    LayerEscapeError,
  );
  expect((err as LayerEscapeError).kind, `the LayerEscapeError for "${entry}" has kind "${kind}" (${where})`).toBe(kind);
  expect((err as Error).message, `the error message names the entry "${entry}" (${where})`).toContain(entry);
  expect(await outside(), `nothing outside the rootfs may change, not even a link count (${where})`).toEqual(before);
  return err as LayerEscapeError;
}

export function mode(s: { mode: number } | undefined): string {
  return s === undefined ? '(missing)' : (s.mode & 0o7777).toString(8).padStart(4, '0');
}

// ---------------------------------------------------------------- reading layers back

export interface ParsedEntry {
  header: Header;
  content: Buffer;
}

export async function entriesOf(layer: Readable): Promise<{ raw: Buffer; entries: ParsedEntry[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of layer) chunks.push(Buffer.from(chunk as Uint8Array));
  const raw = Buffer.concat(chunks);
  const extract = tar.extract();
  const entries: ParsedEntry[] = [];
  const parsing = (async () => {
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const part of entry) parts.push(Buffer.from(part as Uint8Array));
      entries.push({ header: entry.header, content: Buffer.concat(parts) });
    }
  })();
  extract.end(raw);
  await parsing;
  return { raw, entries };
}

export interface TreeSpec {
  [name: string]: string | TreeSpec | { symlink: string } | { content: string; mode: number };
}

/** Writes a tree with every mtime set to `mtime`, children created in the given order. */
export async function makeTree(dir: string, spec: TreeSpec, mtime: Date): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, value] of Object.entries(spec)) {
    const target = path.join(dir, name);
    if (typeof value === 'string') {
      await fs.writeFile(target, value);
      await fs.utimes(target, mtime, mtime);
    } else if ('symlink' in value && typeof value.symlink === 'string') {
      await fs.symlink(value.symlink, target);
      await fs.lutimes(target, mtime, mtime);
    } else if ('content' in value && typeof value.content === 'string' && typeof value.mode === 'number') {
      await fs.writeFile(target, value.content);
      await fs.chmod(target, value.mode);
      await fs.utimes(target, mtime, mtime);
    } else {
      await makeTree(target, value as TreeSpec, mtime);
    }
  }
  await fs.utimes(dir, mtime, mtime);
}

export const parentOf = (name: string) => path.posix.dirname(name.replace(/\/$/, ''));
export const clean = (name: string) => name.replace(/^\.\//, '').replace(/\/$/, '');
