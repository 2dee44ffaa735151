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
import { createHash, randomUUID } from 'node:crypto';
import type { Hash } from 'node:crypto';
import nodeFs from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FsBlobStore } from '../image/blob-store.js';
import type { Digest } from '../image/digest.js';
import { writeFileAtomic } from '../atomic-file.js';
import { RegistryError } from './errors.js';
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
   * The running sha256 of each session's `data`, so completing needs no second
   * pass. Lost on restart: a resumed session is hashed once from its file.
   */
  readonly #hashes = new Map<string, { hash: Hash; size: number }>();

  /**
   * @param root the registry's root; sessions live in `<root>/uploads`.
   * @param blobs the content store completed uploads go into.
   */
  constructor(root: string, readonly blobs: FsBlobStore) {
    this.#dir = path.join(root, 'uploads');
  }

  /** Starts an empty session for repository `name`. */
  async start(name: string): Promise<UploadSession> {
    const uuid = randomUUID();
    const dir = path.join(this.#dir, uuid);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'data'), '');
    // state.json last: a session without one (killed while starting) is unknown, never half-known.
    await writeFileAtomic(path.join(dir, 'state.json'), JSON.stringify({ name, startedAt: new Date().toISOString() }));
    return { uuid, name, size: 0 };
  }

  /**
   * Where a session stands.
   * @throws RegistryError BLOB_UPLOAD_UNKNOWN (404) for an unknown uuid, or one of another repository.
   */
  async status(name: string, uuid: string): Promise<UploadSession> {
    if (!/^[0-9a-f-]{36}$/.test(uuid)) throw uploadUnknown(uuid);
    const dir = path.join(this.#dir, uuid);
    try {
      const state = JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8')) as { name: string };
      const { size } = await fs.stat(path.join(dir, 'data'));
      if (state.name === name) return { uuid, name, size };
    } catch {
      // missing or unreadable: unknown, like a uuid never seen
    }
    throw uploadUnknown(uuid);
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
    return this.#exclusive(uuid, async () => {
      const session = await this.status(name, uuid);
      if (range !== undefined && range.start !== session.size) {
        throw new RegistryError('BLOB_UPLOAD_INVALID', `chunk starts at ${range.start}, the upload has ${session.size} bytes`, {
          status: 416,
          headers: { Range: uploadRange(session.size) },
          detail: { size: session.size },
        });
      }
      const data = path.join(this.#dir, uuid, 'data');
      // Hash a copy: a chunk that fails half-way is cut off the file, and must be off the hash too.
      const hash = (await this.#runningHash(uuid, data, session.size)).copy();
      let written = 0;
      try {
        await pipeline(
          body,
          async function* (chunks: AsyncIterable<Uint8Array>) {
            for await (const chunk of chunks) {
              written += chunk.byteLength;
              hash.update(chunk);
              yield chunk;
            }
          },
          // A 1 MiB buffer lets the next network chunk arrive while the last one is written.
          nodeFs.createWriteStream(data, { flags: 'r+', start: session.size, highWaterMark: 1 << 20 }),
        );
        if (range !== undefined && written !== range.end - range.start + 1) {
          throw new RegistryError('SIZE_INVALID', `Content-Range announced ${range.end - range.start + 1} bytes, the body had ${written}`);
        }
      } catch (err) {
        await fs.truncate(data, session.size).catch(() => undefined);
        throw err;
      }
      this.#hashes.set(uuid, { hash, size: session.size + written });
      return { ...session, size: session.size + written };
    });
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
    if (body !== undefined) await this.append(name, uuid, body, range);
    return this.#exclusive(uuid, async () => {
      const { size } = await this.status(name, uuid);
      const dir = path.join(this.#dir, uuid);
      const data = path.join(dir, 'data');
      const actual = `sha256:${(await this.#runningHash(uuid, data, size)).copy().digest('hex')}`;
      this.#hashes.delete(uuid);
      if (actual !== digest) {
        await fs.rm(dir, { recursive: true, force: true });
        throw new RegistryError('DIGEST_INVALID', `digest mismatch: expected ${digest}, got ${actual}`, { detail: { expected: digest, actual } });
      }
      const file = await fs.open(data, 'r');
      try {
        await file.sync();
      } finally {
        await file.close();
      }
      const target = this.blobs.blobPath(digest);
      await fs.mkdir(path.dirname(target), { recursive: true });
      // Same bytes under the same name: replacing a blob another upload committed first is harmless.
      await fs.rename(data, target);
      await fs.rm(dir, { recursive: true, force: true });
      return { mediaType: 'application/octet-stream', digest, size };
    });
  }

  /**
   * Cancels a session and removes its data.
   * @throws RegistryError BLOB_UPLOAD_UNKNOWN as {@link status}.
   */
  async cancel(name: string, uuid: string): Promise<void> {
    await this.#exclusive(uuid, async () => {
      await this.status(name, uuid);
      this.#hashes.delete(uuid);
      await fs.rm(path.join(this.#dir, uuid), { recursive: true, force: true });
    });
  }

  // The hash of `data`'s first `size` bytes: kept from the last append, or read once (after a restart).
  async #runningHash(uuid: string, data: string, size: number): Promise<Hash> {
    const known = this.#hashes.get(uuid);
    if (known !== undefined && known.size === size) return known.hash;
    const hash = createHash('sha256');
    if (size > 0) {
      for await (const chunk of nodeFs.createReadStream(data, { end: size - 1 })) hash.update(chunk as Buffer);
    }
    this.#hashes.set(uuid, { hash, size });
    return hash;
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
  return `0-${Math.max(size - 1, 0)}`;
}

/**
 * Parses `Content-Range: <start>-<end>` (inclusive; a `bytes=` or `bytes `
 * prefix is tolerated).
 * @returns undefined when the header is absent.
 * @throws RegistryError BLOB_UPLOAD_INVALID with status 416 for any other form, or end < start.
 */
export function parseContentRange(header: string | undefined, size: number): ChunkRange | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[= ])?(\d+)-(\d+)$/.exec(header.trim());
  const start = Number(m?.[1]);
  const end = Number(m?.[2]);
  if (m === null || end < start) {
    throw new RegistryError('BLOB_UPLOAD_INVALID', `invalid Content-Range "${header}"`, {
      status: 416,
      headers: { Range: uploadRange(size) },
    });
  }
  return { start, end };
}

const uploadUnknown = (uuid: string) =>
  new RegistryError('BLOB_UPLOAD_UNKNOWN', `upload ${uuid} unknown to registry`, { detail: { uuid } });
