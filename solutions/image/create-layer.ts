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
  const pack = tar.pack();
  const write = async () => {
    const links = new Map<string, string>();
    for await (const change of changes('', lower, upper)) await writeChange(pack, change, links, options);
    pack.finalize();
  };
  write().catch((err: unknown) => pack.destroy(err as Error));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

/** The changes under one directory, depth first, in the order they go into the tar. */
async function* changes(rel: string, lowerDir: string | undefined, upperDir: string): AsyncGenerator<Change> {
  const upperNames = (await fs.readdir(upperDir)).sort(byName);
  const lowerNames = lowerDir === undefined ? [] : (await fs.readdir(lowerDir)).sort(byName);
  const inUpper = new Set(upperNames);
  const deleted = lowerNames.filter((name) => !inUpper.has(name));
  if (deleted.length > 0) {
    const mtime = new Date(Number((await fs.lstat(upperDir, { bigint: true })).mtimeMs));
    for (const name of deleted) yield { kind: 'whiteout', name: join(rel, `.wh.${name}`), mtime };
  }
  const inLower = new Set(lowerNames);
  for (const name of upperNames) {
    const file = path.join(upperDir, name);
    const stats = await fs.lstat(file, { bigint: true });
    if (stats.isSocket()) continue;
    const before = lowerDir !== undefined && inLower.has(name) ? path.join(lowerDir, name) : undefined;
    const lowerStats = before === undefined ? undefined : await fs.lstat(before, { bigint: true });
    const entry: Change = { kind: 'entry', name: join(rel, name), file, stats };
    const changedHere = lowerStats === undefined || (await differs(before as string, lowerStats, file, stats));
    if (!stats.isDirectory()) {
      if (changedHere) yield entry;
      continue;
    }
    const inner = changes(entry.name, lowerStats?.isDirectory() ? before : undefined, file);
    if (changedHere) {
      yield entry;
      yield* inner;
      continue;
    }
    // An unchanged directory goes in only as the parent of a change below it.
    const first = await inner.next();
    if (first.done === true) continue;
    yield entry;
    yield first.value;
    yield* inner;
  }
}

/**
 * Whether an entry changed: its type, permission bits or owner; for a non-directory
 * also its size, mtime (to the nanosecond), device number or symlink target. Contents
 * are not compared (like docker's own diff): any write changes the mtime, and reading
 * every unchanged file of a rootfs twice per build step would cost more than it finds.
 * A directory's own size and mtime change whenever its entries do, so they are ignored.
 */
async function differs(lowerFile: string, lower: BigIntStats, upperFile: string, upper: BigIntStats): Promise<boolean> {
  if (lower.mode !== upper.mode || lower.uid !== upper.uid || lower.gid !== upper.gid) return true;
  if (upper.isDirectory()) return false;
  if (lower.size !== upper.size || lower.mtimeNs !== upper.mtimeNs || lower.rdev !== upper.rdev) return true;
  return upper.isSymbolicLink() && (await fs.readlink(lowerFile)) !== (await fs.readlink(upperFile));
}

async function writeChange(pack: Pack, change: Change, links: Map<string, string>, options: CreateLayerOptions): Promise<void> {
  if (change.kind === 'whiteout') {
    const mtime = options.mtime ?? change.mtime;
    const whiteout = { name: change.name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime } as const;
    return entry(pack, { ...whiteout, linkname: '', uname: '', gname: '', devmajor: 0, devminor: 0 });
  }
  const { stats, file } = change;
  const header: Header = {
    name: stats.isDirectory() ? `${change.name}/` : change.name,
    type: typeOf(stats),
    mode: Number(stats.mode & 0o7777n),
    uid: options.owner?.uid ?? Number(stats.uid),
    gid: options.owner?.gid ?? Number(stats.gid),
    size: stats.isFile() ? Number(stats.size) : 0,
    mtime: options.mtime ?? new Date(Number(stats.mtimeMs)),
    linkname: stats.isSymbolicLink() ? await fs.readlink(file) : '',
    uname: '',
    gname: '',
    devmajor: Number(stats.rdev >> 8n) & 0xfff,
    devminor: Number((stats.rdev & 0xffn) | ((stats.rdev >> 12n) & 0xfff00n)),
  };
  if (!stats.isDirectory() && stats.nlink > 1n) {
    const inode = `${stats.dev}:${stats.ino}`;
    const first = links.get(inode);
    if (first !== undefined) return entry(pack, { ...header, type: 'link', linkname: first, size: 0 });
    links.set(inode, change.name);
  }
  return entry(pack, header, header.type === 'file' ? file : undefined);
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
