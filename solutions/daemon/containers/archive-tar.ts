/**
 * Provided: the tar streams of lesson 15's archive.ts — entries written from
 * files on the host as docker's tarballer writes them (GET), and a request
 * body read as a tar with a size cap (PUT). Both stream: nothing is held but
 * the chunks in flight.
 *
 * ```
 * GET  walk ─▶ TarWriter.add(host, name, stats) ─▶ tar ─▶ response
 * PUT  body ─▶ cap ─▶ [gunzip ─▶ cap] ─▶ tar entries ─▶ LayerApplier   (plain tar or gzip; at most maxBytes either way)
 * ```
 */
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Header, Pack } from 'tar-stream';
import { EngineError, InvalidParameterError, RequestTooLargeError } from '../../errdefs.js';
import type { IdMap, IdMapping } from '../../image/ownership.js';
import type { EntryContent } from '../../image/rootfs-writer.js';

/**
 * The most bytes a PUT's body may hold, and the most its tar may unpack to
 * when it is gzip-compressed (a small bomb stops here too). Docker has no
 * such cap; the daemon does, as for every body a user sizes.
 */
export const MAX_ARCHIVE_BYTES = 8 * 1024 ** 3;

/** The container id that host id `hostId` appears as: the inverse of ownership.ts's `mapId`; 65534 (nobody) when no range covers it. */
export function containerId(mappings: readonly IdMapping[], hostId: number): number {
  const range = mappings.find((m) => hostId >= m.hostID && hostId < m.hostID + m.size);
  return range === undefined ? 65534 : range.containerID + (hostId - range.hostID);
}

/**
 * Writes tar entries from files on the host, as docker's tarballer writes
 * them: numeric ids seen from inside the container, no user or group names,
 * a directory's name ending in `/`, and a file that shares its inode with one
 * written before becoming a hard link to it. Content is streamed.
 */
export class TarWriter {
  readonly #pack: Pack = tar.pack();
  /** The archive, as a stream to pipe into a response: it ends after {@link finish}, fails after {@link fail}. */
  readonly tar: Readable = Readable.from(this.#pack as AsyncIterable<Buffer>, { objectMode: false });
  /** `dev:ino` → the entry name of the first file seen with that inode. */
  readonly #links = new Map<string, string>();

  constructor(private readonly idMap: IdMap | undefined) {}

  /**
   * Adds the entry `name` for the host file `host` (lstat'ed as `stats`, never
   * followed): its content for a regular file, its target for a symlink.
   * Sockets are left out, as docker leaves them out.
   */
  async add(host: string, name: string, stats: BigIntStats): Promise<void> {
    if (stats.isSocket()) return;
    const header = this.#header(name, stats, stats.isSymbolicLink() ? await fs.readlink(host) : '');
    if (stats.isFile() && stats.nlink > 1n) {
      const inode = `${stats.dev}:${stats.ino}`;
      const first = this.#links.get(inode);
      if (first !== undefined) return this.#write({ ...header, type: 'link', linkname: first, size: 0 });
      this.#links.set(inode, header.name);
    }
    if (header.type !== 'file' || header.size === 0) return this.#write(header);
    // O_NOFOLLOW: a file swapped for a symlink since the walk saw it is refused, never followed.
    const file = await fs.open(host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      // Exactly the size the header says, even when the file grows meanwhile.
      await this.#write(header, file.createReadStream({ start: 0, end: header.size - 1, autoClose: false }));
    } finally {
      await file.close();
    }
  }

  /** Ends the archive once the last entry is written. */
  finish(): void {
    this.#pack.finalize();
  }

  /** Ends the archive with an error instead: whoever reads it sees the error, not a short tar. */
  fail(err: unknown): void {
    this.#pack.destroy(err instanceof Error ? err : new Error(String(err)));
  }

  #header(name: string, stats: BigIntStats, linkname: string): Header {
    const uids = this.idMap?.uidMappings;
    const gids = this.idMap?.gidMappings;
    const rdev = Number(stats.rdev);
    return {
      name: stats.isDirectory() && !name.endsWith('/') ? `${name}/` : name,
      type: stats.isDirectory() ? 'directory' : stats.isSymbolicLink() ? 'symlink' : stats.isCharacterDevice() ? 'character-device'
        : stats.isBlockDevice() ? 'block-device' : stats.isFIFO() ? 'fifo' : 'file',
      mode: Number(stats.mode) & 0o7777,
      uid: uids === undefined ? Number(stats.uid) : containerId(uids, Number(stats.uid)),
      gid: gids === undefined ? Number(stats.gid) : containerId(gids, Number(stats.gid)),
      size: stats.isFile() ? Number(stats.size) : 0,
      mtime: new Date(Number(stats.mtimeMs)),
      linkname,
      uname: '',
      gname: '',
      // Linux's dev_t: major in bits 8–19, minor in bits 0–7 and 20–31.
      devmajor: (rdev >>> 8) & 0xfff,
      devminor: (rdev & 0xff) | ((rdev >>> 12) & 0xfff00),
    };
  }

  // One entry; the callback says the pack took all of it (and its content stream ended).
  #write(header: Header, content?: Readable): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (content === undefined) return void this.#pack.entry(header, Buffer.alloc(0), done);
      pipeline(content, this.#pack.entry(header, done) as unknown as NodeJS.WritableStream).catch(reject);
    });
  }
}

/** Counts the bytes going through and fails the stream past `limit`. */
class ByteCap extends Transform {
  #seen = 0;
  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.limit) return done(new RequestTooLargeError(`archive is larger than ${this.limit} bytes`));
    done(null, chunk);
  }
}

/** One entry of a tar being read: its header, and its content (read it, or `resume()` to skip it). */
export type TarEntry = EntryContent & { header: Header };

/** The tar entries of a request body, as they arrive. */
export interface TarEntries extends AsyncIterable<TarEntry> {
  /** Stops reading (after a failure): the body is let go of, never destroyed, so its connection can still answer. */
  stop(): void;
}

/**
 * Reads `body` as a tar archive, plain or gzip-compressed (told apart by
 * gzip's magic bytes), as it arrives: no more than `maxBytes` of the body, nor
 * of the tar inside a gzip. Iterate over the entries and read each entry's
 * content before the next; the iteration fails with RequestTooLargeError past
 * the cap, InvalidParameterError for a broken archive.
 * @throws InvalidParameterError for bzip2, xz or zstd, which docker takes and this daemon does not
 */
export async function readTarBody(body: Readable, maxBytes: number = MAX_ARCHIVE_BYTES): Promise<TarEntries> {
  const head: Buffer[] = [];
  for await (const chunk of body.iterator({ destroyOnReturn: false })) {
    head.push(chunk as Buffer);
    if (Buffer.concat(head).length >= 6) break;
  }
  const start = Buffer.concat(head);
  if (['425a68', 'fd377a585a00', '28b52ffd'].some((magic) => start.toString('hex').startsWith(magic))) {
    throw new InvalidParameterError('the archive is compressed with bzip2, xz or zstd: send a plain tar or a gzip-compressed one');
  }
  if (start.length > 0) body.unshift(start);
  const gzip = start[0] === 0x1f && start[1] === 0x8b;
  const raw = new ByteCap(maxBytes);
  const extract = tar.extract();
  const stages = gzip ? [raw, createGunzip(), new ByteCap(maxBytes)] : [raw];
  // Its failures reach the entries' iteration: each stage destroys the next with its error.
  pipeline([...stages, extract as unknown as NodeJS.WritableStream]).catch(() => undefined);
  const gone = (): void => void raw.destroy(new Error('the client closed the connection before the whole archive arrived'));
  body.once('aborted', gone).once('error', gone);
  body.pipe(raw);
  const stop = (): void => {
    body.off('aborted', gone).off('error', gone);
    body.unpipe(raw);
    raw.destroy();
  };
  return {
    stop,
    async *[Symbol.asyncIterator]() {
      try {
        yield* extract as AsyncIterable<TarEntry>;
      } catch (err) {
        // A cap or a refusal says so itself; anything else is a tar or gzip stream that does not parse.
        throw err instanceof EngineError ? err : new InvalidParameterError(`the archive cannot be read: ${(err as Error).message}`);
      } finally {
        body.off('aborted', gone).off('error', gone);
      }
    },
  };
}
