/**
 * Applying a layer: the layer blob (tar, or tar+gzip) is streamed once, through
 * gunzip when it starts with gzip's magic bytes, through a hash of the
 * uncompressed bytes (the layer's DiffID) and into a tar parser whose entries
 * are applied to the rootfs one by one. Nothing is held in memory but the
 * chunks in flight, a few MiB at most.
 *
 * ```
 * blob ─▶ [gunzip] ─▶ DigestTransform (DiffID) ─▶ tar extract ─▶ LayerApplier ─▶ <rootfs>/…
 * ```
 */
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { DigestTransform } from './digest.js';
import type { Digest } from './digest.js';
import { LayerApplier } from './layer-applier.js';
import type { OwnershipOptions } from './ownership.js';

/**
 * How a layer is applied.
 * - `idMap`: maps the layer's uid/gid to host ids. Undefined: as root, ids are kept as
 *   they are; as a non-root user, chown is skipped (files belong to the unpacking user,
 *   who is root inside the container's user namespace). With a map, a non-root user
 *   chowns only entries that map to its own uid and gid.
 * - `rootless`: behave as an unprivileged unpacker even when running as root (no chown
 *   to other users, device nodes refused). Default: true unless running as root.
 */
export interface ApplyOptions extends OwnershipOptions {}

/** What applying a layer found out about it. */
export interface AppliedLayer {
  /** The sha256 of the uncompressed tar: what the image config lists in `rootfs.diff_ids`. */
  diffID: Digest;
  /** The number of uncompressed bytes. */
  size: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/**
 * gunzip runs on libuv's thread pool. Bigger output chunks than the default 16 KiB mean fewer
 * trips through the streams, and a read-ahead of a few chunks lets it inflate the next ones
 * while this thread writes files: the two overlap, and memory stays bounded.
 */
const GUNZIP = { chunkSize: 256 * 1024, highWaterMark: 1024 * 1024 };

/**
 * Applies one layer to an existing rootfs directory, entries in archive order, whiteouts
 * included. The layer is read once, as a stream: gzip is recognised by its magic bytes,
 * anything else is read as a plain tar.
 * @returns the layer's DiffID and uncompressed size
 * @throws LayerEscapeError (kind, entry) for an entry that would reach outside the
 *   rootfs: the entries before it stay applied, nothing is written outside.
 * @throws Error for a zstd layer, a truncated or corrupt archive, or a missing rootfs.
 */
export async function applyLayer(
  rootfs: string,
  layer: Readable | AsyncIterable<Uint8Array>,
  options: ApplyOptions = {},
): Promise<AppliedLayer> {
  let root: string;
  try {
    root = await fs.realpath(rootfs);
  } catch (err) {
    discard(layer);
    throw err;
  }
  const { head, rest } = await sniff(layer, ZSTD_MAGIC.length);
  if (startsWith(head, ZSTD_MAGIC)) {
    rest.destroy();
    throw new Error('zstd-compressed layers are not supported: use tar or tar+gzip');
  }
  const digest = new DigestTransform();
  const extract = tar.extract();
  const stages = startsWith(head, GZIP_MAGIC) ? [createGunzip(GUNZIP), digest] : [digest];
  // tar-stream streams are streamx streams: node's pipeline drives them, its types do not know them.
  const flowing = pipeline([rest, ...stages, extract as unknown as NodeJS.WritableStream]);
  // Handled here so that a failure while an entry is being applied is never unhandled.
  flowing.catch(() => undefined);
  const applier = new LayerApplier(root, options);
  try {
    for await (const entry of extract) await applier.apply(entry.header, entry);
    await flowing;
    await applier.finish();
  } catch (err) {
    rest.destroy();
    // A stream that broke by itself (a truncated tar, bad gzip, a failing source) says why;
    // one that was stopped because an entry failed only says "premature close".
    const streamError = await flowing.then(
      () => undefined,
      (cause: unknown) => cause,
    );
    const stopped = streamError === undefined || (streamError as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
    throw stopped ? err : streamError;
  }
  return { diffID: digest.digest, size: digest.size };
}

/**
 * Lets go of a layer that will not be read: a stream is destroyed (and an error it still
 * emits, say a missing file's, is ignored), an iterator is returned.
 */
function discard(layer: Readable | AsyncIterable<Uint8Array>): void {
  if (layer instanceof Readable) {
    layer.on('error', () => undefined);
    layer.destroy();
  } else void layer[Symbol.asyncIterator]().return?.();
}

/** Reads the first `n` bytes (fewer if the source is shorter) and gives back a stream of all of it. */
async function sniff(source: Readable | AsyncIterable<Uint8Array>, n: number): Promise<{ head: Buffer; rest: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let length = 0;
  while (length < n) {
    const next = await iterator.next();
    if (next.done === true) break;
    const chunk = asBuffer(next.value as Uint8Array | string);
    first.push(chunk);
    length += chunk.length;
  }
  async function* everything(): AsyncGenerator<Buffer> {
    try {
      yield* first;
      for (;;) {
        const next = await iterator.next();
        if (next.done === true) return;
        yield asBuffer(next.value as Uint8Array | string);
      }
    } finally {
      await iterator.return?.();
    }
  }
  return { head: Buffer.concat(first).subarray(0, n), rest: Readable.from(everything(), { objectMode: false }) };
}

function asBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function startsWith(head: Buffer, magic: number[]): boolean {
  return magic.every((byte, i) => head[i] === byte);
}
