/**
 * The benchmark's inputs: tar+gzip layers made from the plans in
 * bench/plans.ts, cached under `.bench-cache/` and reused across runs.
 *
 * ```
 * .bench-cache/
 * └── <name>-<key hash>/         one input set; the key names the generator version and parameters
 *     ├── input.json             written last: the set is complete once it exists
 *     └── layout/                an OCI image layout (bench/layout.ts) tagged `bench`
 *         └── blobs/sha256/…     the layers themselves: every tool unpacks these files
 * ```
 * The tar is written with tar-stream and node:zlib at the default level (6),
 * as `docker save` and registries' gzip layers usually are.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import type { PlanEntry } from './plans.js';
import { randomBytes, textBytes } from './prng.js';

/** Bump when a generator changes, so stale caches are not reused. */
export const INPUT_VERSION = 'bench-input-v1';

/** Every entry's mtime: fixed, for reproducible layers. */
export const INPUT_MTIME = new Date('2024-01-01T00:00:00Z');

/** A layer as written: the gzip file's digest and size, and the tar's DiffID and size. */
export interface LayerInfo {
  digest: string;
  size: number;
  diffID: string;
  tarSize: number;
}

class HashCount extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

function contentOf(e: Extract<PlanEntry, { type: 'file' }>): Buffer {
  if (e.size === 0) return Buffer.alloc(0);
  return e.content === 'text' ? textBytes(e.seed, e.size) : randomBytes(e.seed, e.size);
}

function headerOf(e: PlanEntry): tar.Header | (Partial<tar.Header> & { name: string }) {
  const common = { name: e.name, mtime: INPUT_MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root' };
  switch (e.type) {
    case 'directory':
      return { ...common, type: 'directory', mode: e.mode };
    case 'file':
      return { ...common, type: 'file', mode: e.mode, size: e.size };
    case 'symlink':
      return { ...common, type: 'symlink', mode: 0o777, linkname: e.linkname };
    case 'link':
      return { ...common, type: 'link', mode: 0o644, linkname: e.linkname };
  }
}

/** The plan as a tar stream; content is made one entry at a time, so memory stays small. */
export function tarOf(entries: PlanEntry[]): AsyncIterable<Uint8Array> {
  const pack = tar.pack();
  void (async () => {
    try {
      for (const e of entries) {
        const body = e.type === 'file' ? contentOf(e) : undefined;
        await new Promise<void>((resolve, reject) => {
          const done = (err?: Error | null): void => (err ? reject(err) : resolve());
          if (body) pack.entry(headerOf(e), body, done);
          else pack.entry(headerOf(e), done);
        });
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
    }
  })();
  return pack as AsyncIterable<Uint8Array>;
}

/** Writes the plan as a tar+gzip file, hashing both the tar and the gzip while they stream. */
export async function writeLayer(entries: PlanEntry[], file: string): Promise<LayerInfo> {
  const tarHash = new HashCount();
  const gzHash = new HashCount();
  await pipeline(tarOf(entries), tarHash, zlib.createGzip({ level: 6 }), gzHash, createWriteStream(file));
  return {
    digest: `sha256:${gzHash.hash.digest('hex')}`,
    size: gzHash.bytes,
    diffID: `sha256:${tarHash.hash.digest('hex')}`,
    tarSize: tarHash.bytes,
  };
}

/** The cache folder name of an input set: readable name plus a hash of the full key. */
export function cacheName(name: string, params: unknown): string {
  const key = JSON.stringify([INPUT_VERSION, name, params]);
  return `${name}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}
