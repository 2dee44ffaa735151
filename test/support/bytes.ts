/**
 * Bytes the checks compute their expectations from, never with the code under
 * test: the sha256 digest of some data, everything a stream delivers, and a
 * tar archive of given entries written by tar-stream.
 */
import { createHash } from 'node:crypto';
import { Readable, finished } from 'node:stream';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import type { Digest } from '../../solutions/image/digest.js';

/** `sha256:<hex>` of some bytes (a string is hashed as UTF-8), as node:crypto computes it. */
export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/**
 * Everything a stream delivers until its end, as one Buffer. A node stream is
 * read with events, so a duplex (a socket) is not destroyed at the end of its
 * readable side; any other async iterable is iterated.
 * @throws the stream's error, or ERR_STREAM_PREMATURE_CLOSE when it closed before its end.
 */
export function readAll(stream: Readable | AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (stream instanceof Readable) {
    return new Promise((resolve, reject) => {
      stream.on('data', (chunk: Uint8Array | string) => chunks.push(Buffer.from(chunk)));
      finished(stream, { writable: false }, (err) => (err ? reject(err) : resolve(Buffer.concat(chunks))));
    });
  }
  return (async () => {
    for await (const chunk of stream) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  })();
}

/** One entry of {@link tarOf}: a regular file unless `type` says otherwise. */
export interface TarEntry {
  name: string;
  type?: Header['type'];
  /** Default 0755 for a directory, 0644 otherwise. */
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  /** A regular file's content (default empty). */
  content?: string | Buffer;
  devmajor?: number;
  devminor?: number;
}

/**
 * An uncompressed tar archive of the entries, in this order, written by tar-stream.
 * @param defaults.mtime the mtime of entries that name none (default 2024-01-01T00:00:00Z).
 */
export async function tarOf(entries: TarEntry[], defaults: { mtime?: Date } = {}): Promise<Buffer> {
  const pack = tar.pack();
  const collected = readAll(pack as unknown as AsyncIterable<Uint8Array>);
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime: e.mtime ?? defaults.mtime ?? new Date('2024-01-01T00:00:00Z'),
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
    };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, e.content ?? '', done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  return collected;
}
