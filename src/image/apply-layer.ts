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
import { NotImplementedError } from '../errors.js';
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
  // TODO(lesson-06): Stream the layer through gunzip (when gzipped), a DigestTransform and a tar extract, applying each entry.
  // HINT: sniff() the first bytes: GZIP_MAGIC means tar+gzip; ZSTD_MAGIC is refused; anything else is a plain tar.
  // HINT: pipeline([rest, …stages, extract]) runs while `for await (const entry of extract)` hands each entry to
  // HINT: a LayerApplier (fs.realpath the rootfs first; if that fails, discard(layer)). After the loop, await the
  // HINT: pipeline, then applier.finish(). createGunzip(GUNZIP) hands over bigger chunks, and reads ahead.
  // HINT: On an error, destroy the source and swallow the pipeline's own rejection before rethrowing.
  void rootfs, layer, options;
  throw new NotImplementedError('lesson-06: applyLayer');
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
  // TODO(lesson-06): Read chunks until n bytes have arrived, then return those bytes and a stream of everything.
  // HINT: The first chunk may hold a single byte. An async generator that yields the chunks already read, then
  // HINT: the rest of the source's iterator, makes the stream: Readable.from(generator(), { objectMode: false }).
  void source, n;
  throw new NotImplementedError('lesson-06: sniff');
}

function asBuffer(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function startsWith(head: Buffer, magic: number[]): boolean {
  return magic.every((byte, i) => head[i] === byte);
}
