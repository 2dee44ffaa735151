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
  readonly #fs: BlobFs;

  /**
   * @param root the store's directory (created on first write).
   * @param fs the file system to use; node:fs unless given.
   */
  constructor(root: string, fs?: BlobFs) {
    this.root = root;
    this.#fs = fs ?? nodeFs;
  }

  /** The path of a committed blob: `<root>/blobs/sha256/<hex>`. */
  blobPath(digest: Digest): string {
    // Validated first: a string typed Digest may still come from JSON on the wire,
    // and "sha256:../../etc/passwd" must never reach path.join.
    return path.join(this.#blobDir(), digestHex(parseDigest(digest)));
  }

  async stat(digest: Digest): Promise<Descriptor> {
    const file = this.blobPath(digest);
    try {
      const stats = await this.#fs.promises.stat(file);
      if (stats.isFile()) return { mediaType: BLOB_MEDIA_TYPE, digest, size: stats.size };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    throw new BlobNotFoundError(digest);
  }

  async get(digest: Digest): Promise<Readable> {
    const stream = this.#fs.createReadStream(this.blobPath(digest));
    // A read stream opens its file lazily. Waiting for the open turns a missing
    // blob into a rejection here, not an 'error' event after the stream was handed out.
    try {
      await once(stream, 'open');
    } catch (err) {
      stream.destroy();
      throw isNotFound(err) ? new BlobNotFoundError(digest) : err;
    }
    return stream;
  }

  async put(source: AsyncIterable<Uint8Array | string>, expected: BlobExpectation = {}): Promise<Descriptor> {
    const wanted = expected.digest === undefined ? undefined : parseDigest(expected.digest);
    const ingestDir = path.join(this.root, 'ingest');
    await this.#fs.promises.mkdir(ingestDir, { recursive: true, mode: DIR_MODE });
    await this.#fs.promises.mkdir(this.#blobDir(), { recursive: true, mode: DIR_MODE });
    // One ingest file per put, even for the same blob: concurrent writers never share a file.
    const ingestPath = path.join(ingestDir, randomBytes(16).toString('hex'));
    const hasher = new DigestTransform();
    const out = this.#fs.createWriteStream(ingestPath, { flags: 'wx', mode: FILE_MODE });
    try {
      // A blob that is already stored is still read, verified and written again:
      // one code path, and the caller learns that the bytes it sent are right.
      await pipeline(source, hasher, limitSize(expected.size), out);
      if (expected.size !== undefined && hasher.size !== expected.size) throw new SizeMismatchError(expected.size, hasher.size);
      const digest = hasher.digest;
      if (wanted !== undefined && digest !== wanted) throw new DigestMismatchError(wanted, digest);
      // Data first, name second: after a crash, a visible blob is always a complete one.
      await this.#fsync(ingestPath);
      // rename(2) replaces the name atomically, also over an identical blob a
      // concurrent put committed first. The directory is not fsynced: a crash can
      // then lose the new name, but a lost blob is fetched again, never half-read.
      await this.#fs.promises.rename(ingestPath, this.blobPath(digest));
      return { mediaType: expected.mediaType ?? BLOB_MEDIA_TYPE, digest, size: hasher.size };
    } catch (err) {
      await closed(out); // a write stream still closing could otherwise outlive the unlink
      await this.#fs.promises.unlink(ingestPath).catch(() => undefined);
      throw err;
    }
  }

  async delete(digest: Digest): Promise<void> {
    const file = this.blobPath(digest);
    try {
      await this.#fs.promises.unlink(file);
    } catch (err) {
      throw isNotFound(err) ? new BlobNotFoundError(digest) : err;
    }
  }

  async list(): Promise<Digest[]> {
    let names: string[];
    try {
      names = await this.#fs.promises.readdir(this.#blobDir());
    } catch (err) {
      if (isNotFound(err)) return []; // nothing was ever written
      throw err;
    }
    return names
      .map((name) => `${DIGEST_ALGORITHM}:${name}`)
      .filter(isDigest)
      .sort();
  }

  #blobDir(): string {
    return path.join(this.root, 'blobs', DIGEST_ALGORITHM);
  }

  /** fsync applies to the file, not the descriptor: a second one flushes what the stream wrote. */
  async #fsync(file: string): Promise<void> {
    const handle = await this.#fs.promises.open(file, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/**
 * A pipeline step that fails as soon as more than `max` bytes went through, so
 * an oversized (or endless) source is not written to the end first. The error's
 * `actual` is then the count so far, at least `max + 1`.
 */
function limitSize(max: number | undefined): (chunks: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (chunks) {
    let seen = 0;
    for await (const chunk of chunks) {
      seen += chunk.length;
      if (max !== undefined && seen > max) throw new SizeMismatchError(max, seen);
      yield chunk;
    }
  };
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
