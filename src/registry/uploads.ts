/**
 * Blob upload sessions, kept on disk so that they survive a restart of the
 * registry (a client may resume with `GET <location>` and go on from `Range`).
 *
 * ```
 * <root>/uploads/<uuid>/
 * ├── state.json     {"name": "library/busybox", "startedAt": "…"}: written atomically, first
 * └── data           the bytes received so far, in order; its size is the session's offset
 * ```
 * Nothing in `uploads/` is ever visible as a blob: only {@link UploadStore.complete}
 * makes one, once `data` has the expected digest, by an atomic rename into the
 * content store's `blobs/sha256/<hex>` (same file system), or stores nothing.
 * The digest is hashed while the chunks arrive, so completing a 1 GB upload
 * neither reads nor copies it again. A registry killed mid-PATCH leaves a
 * session whose `data` holds what arrived; a registry killed mid-PUT leaves a
 * session, never a partial blob.
 */
import { randomUUID } from 'node:crypto';
import nodeFs from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FsBlobStore } from '../image/blob-store.js';
import type { Digest } from '../image/digest.js';
import { DigestMismatchError } from '../image/errors.js';
import { writeFileAtomic } from '../atomic-file.js';
import { RegistryError } from './errors.js';
import { NotImplementedError } from '../errors.js';
import type { Descriptor } from '../image/types.js';

/** Where an upload stands. */
export interface UploadSession {
  uuid: string;
  /** The repository the upload belongs to. */
  name: string;
  /** Bytes received so far (the next chunk must start here). */
  size: number;
}

/** A chunk's inclusive byte range, from `Content-Range: <start>-<end>`. */
export interface ChunkRange {
  start: number;
  end: number;
}

/** The registry's upload sessions under `<root>/uploads`. */
export class UploadStore {
  readonly #dir: string;
  /** One operation at a time per session: two PATCHes must not write one file at once. */
  readonly #busy = new Map<string, Promise<unknown>>();

  /**
   * @param root the registry's root; sessions live in `<root>/uploads`.
   * @param blobs the content store completed uploads go into.
   */
  constructor(root: string, readonly blobs: FsBlobStore) {
    this.#dir = path.join(root, 'uploads');
  }

  /** Starts an empty session for repository `name`. */
  async start(name: string): Promise<UploadSession> {
    // TODO(lesson-07): Create `uploads/<randomUUID()>/` with an empty `data` file, then write state.json ({name, startedAt}) atomically.
    throw new NotImplementedError('lesson-07: UploadStore.start');
  }

  /**
   * Where a session stands.
   * @throws RegistryError BLOB_UPLOAD_UNKNOWN (404) for an unknown uuid, or one of another repository.
   */
  async status(name: string, uuid: string): Promise<UploadSession> {
    // TODO(lesson-07): Read state.json and the size of data; an unknown uuid, a malformed one or another repository's session is BLOB_UPLOAD_UNKNOWN.
    // HINT: check the uuid's shape (/^[0-9a-f-]{36}$/) before it becomes a path.
    throw new NotImplementedError('lesson-07: UploadStore.status');
  }

  /**
   * Appends a chunk, streaming it to disk. With a `range`, its start must be
   * the session's size and its length the body's; without one the body is
   * appended as is (a "streamed" PATCH, as docker and skopeo send).
   * @returns the session after the chunk.
   * @throws RegistryError BLOB_UPLOAD_INVALID with status 416 and the current
   *   `Range` when the chunk does not start at the session's size (the session
   *   is left as it was); SIZE_INVALID when the body's length is not the range's;
   *   BLOB_UPLOAD_UNKNOWN as {@link status}. A body that fails half-way is cut off again.
   */
  async append(name: string, uuid: string, body: AsyncIterable<Uint8Array>, range?: ChunkRange): Promise<UploadSession> {
    // TODO(lesson-07): Inside #exclusive: refuse a range that does not start at the session's size (416 with Range), stream the body to data at that offset, and cut data back on failure.
    // HINT: new RegistryError('BLOB_UPLOAD_INVALID', …, { status: 416, headers: { Range: uploadRange(size) } })
    // HINT: pipeline(body, counter, fs.createWriteStream(data, { flags: 'r+', start: size })) writes at the offset without buffering.
    // HINT: a body longer or shorter than the range is SIZE_INVALID; fs.truncate(data, size) undoes a failed chunk.
    throw new NotImplementedError('lesson-07: UploadStore.append');
  }

  /**
   * Completes a session: appends the final chunk, if any, checks the data's
   * digest against `digest`, then moves the data into the content store
   * (fsync, atomic rename) and removes the session.
   * @returns the stored blob's descriptor.
   * @throws RegistryError DIGEST_INVALID (400) when the data has another digest:
   *   nothing is stored and the session is removed (the client starts over, as
   *   with distribution); the errors of {@link append}.
   */
  async complete(
    name: string,
    uuid: string,
    digest: Digest,
    body?: AsyncIterable<Uint8Array>,
    range?: ChunkRange,
  ): Promise<Descriptor> {
    // TODO(lesson-07): Append the last chunk if any, check data's digest, commit it into the store and remove the session; a mismatch is DIGEST_INVALID (session removed).
    // HINT: The simple way: stream data into this.blobs.put with the expected digest (a DigestMismatchError means DIGEST_INVALID).
    // HINT: The fast way: hash the chunks as append() writes them, then fsync data and rename it to this.blobs.blobPath(digest).
    // HINT: the store verifies and commits atomically: never rename `data` into blobs/ yourself.
    throw new NotImplementedError('lesson-07: UploadStore.complete');
  }

  /**
   * Cancels a session and removes its data.
   * @throws RegistryError BLOB_UPLOAD_UNKNOWN as {@link status}.
   */
  async cancel(name: string, uuid: string): Promise<void> {
    // TODO(lesson-07): Check the session exists, then remove its directory.
    throw new NotImplementedError('lesson-07: UploadStore.cancel');
  }

  async #exclusive<T>(uuid: string, work: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(uuid) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(work);
    this.#busy.set(uuid, run);
    try {
      return await run;
    } finally {
      if (this.#busy.get(uuid) === run) this.#busy.delete(uuid);
    }
  }
}

/**
 * The `Range` header of a session holding `size` bytes: `0-<size-1>`, and
 * `0-0` for an empty one (as distribution answers; the inclusive form has no
 * way to say "nothing").
 */
export function uploadRange(size: number): string {
  // TODO(lesson-07): Return `0-<size-1>`, and `0-0` for an empty session.
  throw new NotImplementedError('lesson-07: uploadRange');
}

/**
 * Parses `Content-Range: <start>-<end>` (inclusive; a `bytes=` or `bytes `
 * prefix is tolerated).
 * @returns undefined when the header is absent.
 * @throws RegistryError BLOB_UPLOAD_INVALID with status 416 for any other form, or end < start.
 */
export function parseContentRange(header: string | undefined, size: number): ChunkRange | undefined {
  // TODO(lesson-07): Parse `<start>-<end>` (a `bytes=` prefix tolerated); undefined without a header; any other form, or end < start, is a 416 BLOB_UPLOAD_INVALID with Range.
  throw new NotImplementedError('lesson-07: parseContentRange');
}

const uploadUnknown = (uuid: string) =>
  new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${uuid} unknown to registry`, { detail: { uuid } });
