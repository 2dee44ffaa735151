/**
 * A content-addressable blob store: every blob is stored under its own digest.
 *
 * ```
 * <root>/
 * ├── blobs/
 * │   └── sha256/
 * │       └── <64 hex>      committed blobs: complete and verified, content never changes
 * └── ingest/
 *     └── <random>          writes in progress; renamed into blobs/ only once verified
 * ```
 * `blobs/sha256/<hex>` is also the layout of an OCI image layout's blobs, so
 * a layout directory is a blob store plus `oci-layout` and `index.json`.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import nodeFs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DIGEST_ALGORITHM, DigestTransform, digestHex, isDigest, parseDigest } from './digest.js';
import type { Digest } from './digest.js';
import { NotImplementedError } from '../errors.js';
import { BlobNotFoundError, DigestMismatchError, SizeMismatchError } from './errors.js';
import type { Descriptor } from './types.js';

/**
 * The file-system calls the store makes: node:fs in production, memfs in
 * unit checks. Any object with these members works.
 */
export interface BlobFs {
  promises: {
    mkdir(path: string, options: { recursive: true; mode?: number }): Promise<unknown>;
    open(path: string, flags: string, mode?: number): Promise<{ sync(): Promise<void>; close(): Promise<void> }>;
    rename(from: string, to: string): Promise<void>;
    stat(path: string): Promise<{ size: number; isFile(): boolean }>;
    unlink(path: string): Promise<void>;
    readdir(path: string): Promise<string[]>;
  };
  createReadStream(path: string): Readable;
  createWriteStream(path: string, options?: { flags?: string; mode?: number }): NodeJS.WritableStream;
}

/** What a writer announces about a blob before sending it; every field is optional. */
export interface BlobExpectation {
  /** The digest the content must have; checked while writing. */
  digest?: Digest;
  /** The size the content must have; checked while writing. */
  size?: number;
  /** Copied into the returned descriptor (the store itself does not keep media types). */
  mediaType?: string;
}

/** Reads blobs. */
export interface BlobReader {
  /**
   * The blob's descriptor (media type `application/octet-stream`, digest, size).
   * @throws BlobNotFoundError when no such blob is stored.
   */
  stat(digest: Digest): Promise<Descriptor>;
  /**
   * The blob's content as a stream.
   * @throws BlobNotFoundError when no such blob is stored.
   */
  get(digest: Digest): Promise<Readable>;
}

/** Writes blobs. */
export interface BlobWriter {
  /**
   * Streams `source` into the store, verifying `expected` while it writes.
   * The blob becomes visible only once complete and verified (atomic rename);
   * a concurrent put of the same blob ends with one blob and no error.
   * @returns the stored blob's descriptor.
   * @throws DigestMismatchError or SizeMismatchError — and then nothing is stored.
   */
  put(source: AsyncIterable<Uint8Array | string>, expected?: BlobExpectation): Promise<Descriptor>;
}

/** A complete blob store. */
export interface BlobStore extends BlobReader, BlobWriter {
  /**
   * Removes a blob.
   * @throws BlobNotFoundError when no such blob is stored.
   */
  delete(digest: Digest): Promise<void>;
  /** The digests of every committed blob (partial writes are never listed). */
  list(): Promise<Digest[]>;
}

/** The media type of a blob the store knows nothing more about. */
const BLOB_MEDIA_TYPE = 'application/octet-stream';
/** Modes of what the store creates (the umask still applies): blobs are readable by all, written by the owner. */
const DIR_MODE = 0o755;
const FILE_MODE = 0o644;

/** A {@link BlobStore} in a directory. */
export class FsBlobStore implements BlobStore {
  /** The store's directory. */
  readonly root: string;

  /**
   * @param root the store's directory (created on first write).
   * @param fs the file system to use; node:fs unless given.
   */
  constructor(root: string, fs?: BlobFs) {
    this.root = root;
    // TODO(lesson-04): Keep the file system to use, node:fs (imported as nodeFs) when none is given.
    // HINT: Every file call goes through it (this.#fs.promises.stat, this.#fs.createReadStream, …), never node:fs directly.
    void fs;
  }

  /** The path of a committed blob: `<root>/blobs/sha256/<hex>`. */
  blobPath(digest: Digest): string {
    // TODO(lesson-04): Validate the digest, then build `<root>/blobs/sha256/<hex>` from it.
    // HINT: A Digest-typed string can still come from outside: parseDigest() it before it becomes a path.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.blobPath');
  }

  async stat(digest: Digest): Promise<Descriptor> {
    // TODO(lesson-04): Stat the blob file and describe it; a missing file is a BlobNotFoundError.
    // HINT: { mediaType: BLOB_MEDIA_TYPE, digest, size: stats.size }; isNotFound(err) (bottom of this file) spots ENOENT.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.stat');
  }

  async get(digest: Digest): Promise<Readable> {
    // TODO(lesson-04): Open the blob as a read stream; a missing file is a BlobNotFoundError.
    // HINT: createReadStream() opens the file later: `await once(stream, 'open')` rejects with ENOENT now.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.get');
  }

  async put(source: AsyncIterable<Uint8Array | string>, expected: BlobExpectation = {}): Promise<Descriptor> {
    // TODO(lesson-04): Stream into a new file in ingest/, verify size and digest, fsync, then rename it into blobs/.
    // HINT: await pipeline(source, new DigestTransform(), limitSize(expected.size), writeStream): never collect the chunks.
    // HINT: createWriteStream(ingestPath, { flags: 'wx', mode: FILE_MODE }) with a random name per put.
    // HINT: fsync = this.#fs.promises.open(ingestPath, 'r+'), then handle.sync() and handle.close(); rename last.
    // HINT: On any failure: await closed(writeStream), unlink the ingest file, rethrow. Nothing reaches blobs/.
    void source, expected;
    throw new NotImplementedError('lesson-04: FsBlobStore.put');
  }

  async delete(digest: Digest): Promise<void> {
    // TODO(lesson-04): Remove the blob file; a missing file is a BlobNotFoundError.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.delete');
  }

  async list(): Promise<Digest[]> {
    // TODO(lesson-04): List blobs/sha256/ and return the names that are valid digests.
    // HINT: No blobs/sha256/ yet is an empty store. Ignore ingest/ and any stray file name.
    throw new NotImplementedError('lesson-04: FsBlobStore.list');
  }
}

/**
 * A pipeline step that fails as soon as more than `max` bytes went through, so
 * an oversized (or endless) source is not written to the end first. The error's
 * `actual` is then the count so far, at least `max + 1`.
 */
function limitSize(max: number | undefined): (chunks: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  // TODO(lesson-04): Return an async generator function that passes chunks on and counts their bytes.
  // HINT: Throw a SizeMismatchError(max, seen) as soon as seen > max (max undefined: no limit).
  void max;
  throw new NotImplementedError('lesson-04: limitSize');
}

/**
 * Destroys a write stream (a no-op when pipeline already did) and resolves once
 * it has closed its file, whatever the outcome: only then can the file be unlinked for good.
 */
function closed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    finished(stream, () => resolve());
    (stream as Partial<Writable>).destroy?.();
  });
}

/** ENOENT, or ENOTDIR when a part of the path is a file: either way, no such blob. */
function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
