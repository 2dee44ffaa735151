/**
 * A layer from the difference between two directory trees: what a build step
 * changed. `lower` is the rootfs before the step, `upper` the same rootfs
 * after it. New and changed entries go into the tar whole; an entry missing
 * from `upper` becomes a `.wh.<name>` whiteout.
 *
 * The tar is reproducible: entries in sorted order, numeric ids with empty
 * user and group names, no atime or ctime, and (with `mtime`) one fixed
 * modification time. The same trees always give the same bytes, so the same
 * DiffID, and a build cache can recognise the layer.
 */
import fs from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header, Pack } from 'tar-stream';
import { NotImplementedError } from '../errors.js';

/** How the layer is written. */
export interface CreateLayerOptions {
  /** A fixed mtime for every entry, for layers that do not depend on when they were built. */
  mtime?: Date;
  /** Record every entry with this owner instead of the files' own (a rootless build's files all belong to the builder). */
  owner?: { uid: number; gid: number };
}

/** One change found by the walk: an entry of `upper` to add, or a name to white out. */
type Change = { kind: 'entry'; name: string; file: string; stats: BigIntStats } | { kind: 'whiteout'; name: string; mtime: Date };

/**
 * The uncompressed tar of what changed from `lower` to `upper`, streamed as it is read
 * from disk. Directories come before their content, whiteouts before their siblings
 * (as the OCI image spec recommends), names in sorted order; a directory is included
 * when it changed itself or holds a change. Files that share an inode within the layer
 * become hardlinks to the first one. Sockets are left out.
 * @param lower the tree before; undefined: an empty tree (the layer holds all of `upper`)
 * @returns a tar stream; it fails with the file-system error if a tree cannot be read
 */
export function createLayer(lower: string | undefined, upper: string, options: CreateLayerOptions = {}): Readable {
  // TODO(lesson-06): Walk the changes, write each one into a tar.pack(), and return the pack as a Readable.
  // HINT: Start the writing without awaiting it: finalize() the pack at the end, destroy(err) it on a failure.
  // HINT: Readable.from(pack, { objectMode: false }) turns tar-stream's stream into a node Readable.
  void lower, upper, options;
  throw new NotImplementedError('lesson-06: createLayer');
}

/** The changes under one directory, depth first, in the order they go into the tar. */
async function* changes(rel: string, lowerDir: string | undefined, upperDir: string): AsyncGenerator<Change> {
  // TODO(lesson-06): Yield the whiteouts of names gone from upper, then each new or changed entry, depth first, sorted.
  // HINT: A directory goes in when it is new or differs(), or when something below it changed: pull the first
  // HINT: change of the inner walk with .next() before deciding, then `yield* inner` for the rest.
  void rel, lowerDir, upperDir;
  throw new NotImplementedError('lesson-06: changes');
}

/**
 * Whether an entry changed: its type, permission bits or owner; for a non-directory
 * also its size, mtime (to the nanosecond), device number or symlink target. Contents
 * are not compared (like docker's own diff): any write changes the mtime, and reading
 * every unchanged file of a rootfs twice per build step would cost more than it finds.
 * A directory's own size and mtime change whenever its entries do, so they are ignored.
 */
async function differs(lowerFile: string, lower: BigIntStats, upperFile: string, upper: BigIntStats): Promise<boolean> {
  // TODO(lesson-06): Compare mode (type and permissions), uid, gid; for non-directories also size, mtimeNs, rdev and symlink target.
  void lowerFile, lower, upperFile, upper;
  throw new NotImplementedError('lesson-06: differs');
}

async function writeChange(pack: Pack, change: Change, links: Map<string, string>, options: CreateLayerOptions): Promise<void> {
  // TODO(lesson-06): Write one change as a tar entry: a whiteout, a hardlink to an inode already written, or the entry itself.
  // HINT: Numeric uid/gid, empty uname/gname, options.mtime when given; directory names end with "/".
  // HINT: A non-directory with stats.nlink > 1 whose `${dev}:${ino}` is in `links` becomes type 'link'.
  void pack, change, links, options;
  throw new NotImplementedError('lesson-06: writeChange');
}

/** Adds one entry to the tar, streaming `file` as its content. */
async function entry(pack: Pack, header: Header, file?: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    // A regular file with no file behind it (a whiteout) is empty; other types have no data at all.
    if (file === undefined && header.type === 'file') return void pack.entry(header, Buffer.alloc(0), done);
    const sink = pack.entry(header, done);
    if (file !== undefined) pipeline(createReadStream(file), sink as unknown as NodeJS.WritableStream).catch(reject);
  });
}

function typeOf(stats: BigIntStats): Header['type'] {
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  if (stats.isFIFO()) return 'fifo';
  return 'file';
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Plain code-unit order: the same on every machine, whatever its locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
