/**
 * A content-addressable blob store: every blob is stored under its own digest.
 *
 * ```
 * <root>/
 * ├── blobs/
 * │   └── sha256/
 * │       └── <64 hex>      committed blobs: complete, verified, never rewritten
 * └── ingest/
 *     └── <random>          writes in progress; renamed into blobs/ only once verified
 * ```
 * `blobs/sha256/<hex>` is also the layout of an OCI image layout's blobs, so
 * a layout directory is a blob store plus `oci-layout` and `index.json`.
 */
import type { Readable } from 'node:stream';
import { NotImplementedError } from '../errors.js';
import type { Digest } from './digest.js';
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
    // TODO(lesson-04): Keep the file system (node:fs when none is given).
    void fs;
  }

  /** The path of a committed blob: `<root>/blobs/sha256/<hex>`. */
  blobPath(digest: Digest): string {
    // TODO(lesson-04): Build the blob's path from its digest.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.blobPath');
  }

  async stat(digest: Digest): Promise<Descriptor> {
    // TODO(lesson-04): Stat the blob file; a missing file is a BlobNotFoundError.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.stat');
  }

  async get(digest: Digest): Promise<Readable> {
    // TODO(lesson-04): Open the blob as a read stream; a missing file is a BlobNotFoundError.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.get');
  }

  async put(source: AsyncIterable<Uint8Array | string>, expected: BlobExpectation = {}): Promise<Descriptor> {
    // TODO(lesson-04): Stream into ingest/, verify digest and size, fsync, rename into blobs/.
    void source, expected;
    throw new NotImplementedError('lesson-04: FsBlobStore.put');
  }

  async delete(digest: Digest): Promise<void> {
    // TODO(lesson-04): Remove the blob file; a missing file is a BlobNotFoundError.
    void digest;
    throw new NotImplementedError('lesson-04: FsBlobStore.delete');
  }

  async list(): Promise<Digest[]> {
    // TODO(lesson-04): List blobs/sha256/ and return the valid digests.
    throw new NotImplementedError('lesson-04: FsBlobStore.list');
  }
}
