/**
 * What lesson 04's checks (../04-content-store.test.ts) share: the files they
 * name, known digests, a memfs blob store that records every file call, temp
 * dirs, streams cut into pieces, and the expectation that a failed put left
 * nothing visible behind.
 */
import fs from 'node:fs';
import { Volume, createFsFromVolume } from 'memfs';
import { expect } from 'vitest';
import { FsBlobStore } from '#kata/image/blob-store.js';
import type { BlobFs } from '#kata/image/blob-store.js';
import type { Digest } from '#kata/image/digest.js';
import { sha256 } from '../../support/bytes.js';
import { TestScope } from '../../support/scope.js';

export const DIGEST = 'src/image/digest.ts';
export const STORE = 'src/image/blob-store.ts';

/** `printf '' | sha256sum` and `printf hello | sha256sum`. */
export const EMPTY_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const HELLO_HEX = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
export const HELLO = `sha256:${HELLO_HEX}` as Digest;
export const MB = 1024 * 1024;

/** What a check creates; the test file's afterEach cleans it up. */
export const scope = new TestScope();

/** A new temp dir, removed after the check. */
export function tempDir(): Promise<string> {
  return scope.tempDir('dockerlings-04-');
}

/** The sha256 node:crypto computes, typed as a Digest: the store checks never depend on your digest.ts for their expectations. */
export function known(data: Uint8Array | string): Digest {
  return sha256(data) as Digest;
}

export function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

/** The error `fn` throws, or a marker error when it returns. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return new Error('(returned without an error)');
}

export async function* from(...chunks: Array<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  for (const chunk of chunks) yield chunk;
}

export async function* pieces(data: Buffer, size: number, pause = false): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    if (pause) await new Promise((resolve) => setImmediate(resolve));
    yield data.subarray(i, i + size);
  }
}

/** A memfs store whose every file call is recorded as "<call> <path…>". */
export function memStore(): { vol: InstanceType<typeof Volume>; store: FsBlobStore; calls: string[] } {
  const vol = new Volume();
  const mem = createFsFromVolume(vol) as unknown as BlobFs;
  const calls: string[] = [];
  const recorded: BlobFs = {
    promises: {
      mkdir: (p, options) => (calls.push(`mkdir ${p}`), mem.promises.mkdir(p, options)),
      open: (p, flags, mode) => (calls.push(`open ${p}`), mem.promises.open(p, flags, mode)),
      rename: (a, b) => (calls.push(`rename ${a} ${b}`), mem.promises.rename(a, b)),
      stat: (p) => (calls.push(`stat ${p}`), mem.promises.stat(p)),
      unlink: (p) => (calls.push(`unlink ${p}`), mem.promises.unlink(p)),
      readdir: (p) => (calls.push(`readdir ${p}`), mem.promises.readdir(p)),
    },
    createReadStream: (p) => (calls.push(`createReadStream ${p}`), mem.createReadStream(p)),
    createWriteStream: (p, options) => (calls.push(`createWriteStream ${p}`), mem.createWriteStream(p, options)),
  };
  return { vol, store: new FsBlobStore('/store', recorded), calls };
}

/** The files (not directories) of a memfs volume under a directory. */
export function memFiles(vol: InstanceType<typeof Volume>, dir: string): string[] {
  return Object.entries(vol.toJSON())
    .filter(([name, content]) => content !== null && name.startsWith(`${dir}/`))
    .map(([name]) => name)
    .sort();
}

/** The entries of a real directory; a missing directory has none. */
export function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Checks that a failed put left nothing visible behind in a memfs store. */
export function expectNothingStored(vol: InstanceType<typeof Volume>, calls: string[], what: string): void {
  expect(memFiles(vol, '/store/blobs'), `${what}: no blob may be stored (${STORE}: FsBlobStore.put verifies BEFORE the rename)`).toEqual([]);
  expect(
    memFiles(vol, '/store/ingest'),
    `${what}: the ingest file must be removed when put fails (${STORE}: FsBlobStore.put, the catch: unlink, then rethrow)`,
  ).toEqual([]);
  expect(
    calls.filter((c) => c.startsWith('rename ')),
    `${what}: nothing may be renamed into blobs/, not even for a moment (${STORE}: FsBlobStore.put renames only after both checks)`,
  ).toEqual([]);
  expect(
    calls.filter((c) => c.startsWith('createWriteStream ') && !c.startsWith('createWriteStream /store/ingest/')),
    `put writes only into <root>/ingest/<random>, never straight into blobs/ (${STORE}: FsBlobStore.put)`,
  ).toEqual([]);
}
