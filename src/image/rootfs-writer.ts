/**
 * The file-system groundwork under lesson 06's `LayerApplier`
 * (layer-applier.ts): where an entry goes, exclusive creates that replace what
 * is in the way, owners, device nodes, and the bookkeeping whiteouts need
 * ({@link LayerWrites}). Provided: the lesson writes what a layer entry means;
 * this file keeps the file system honest while it does.
 *
 * Every path goes through {@link resolveInRoot} (or lies in a directory that
 * did, earlier in the layer), so nothing written here can land outside the rootfs.
 *
 * The metadata calls are synchronous (`fs.openSync`, `fs.fchownSync`, …). Each one
 * takes microseconds in the kernel, while an `fs/promises` call also makes a round
 * trip through libuv's thread pool, which costs several times the syscall; a layer
 * of thousands of small files would spend most of its time waiting for those trips.
 * The price is that the event loop is blocked while one entry's metadata is set: a
 * few microseconds per entry. File content is still streamed chunk by chunk, and the
 * loop runs between chunks and between entries, so a daemon stays responsive.
 */
import { execFile } from 'node:child_process';
import fs, { constants } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Header } from 'tar-stream';
import { hostOwner, isRootless } from './ownership.js';
import type { OwnershipOptions } from './ownership.js';
import { removeAll, resolveInRoot } from './safe-path.js';
import type { LayerWrites } from './whiteouts.js';

/** An entry's data as the tar parser hands it over. */
export type EntryContent = AsyncIterable<unknown> & { resume(): unknown };

/** Where an entry goes: its host path, its path relative to the rootfs, and whether this layer created its directory. */
export interface Place {
  target: string;
  rel: string;
  inNewDir: boolean;
}

/** Create only, and never through a symlink: the open fails if anything is there. */
export const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const run = promisify(execFile);

/**
 * Writes the entries of one layer into a rootfs, safely; `LayerApplier`
 * decides what each entry means. One writer per layer.
 */
export class RootfsWriter implements LayerWrites {
  /**
   * Directories reached without any symlink, known to be there and writable, by path relative
   * to the rootfs → whether this layer created them. An entry in one of them needs no lstat walk
   * and no mkdir. Forgotten when removed.
   */
  private readonly knownDirs = new Map<string, boolean>();
  /**
   * What this layer wrote into directories it did not create, and those directories: what its
   * whiteouts must leave alone. Whatever it wrote in its own directories needs no entry here, so
   * a layer unpacked into an empty rootfs keeps next to nothing in memory.
   */
  private readonly ownInLower = new Set<string>();
  /** Directories whose mode and mtime are set last, once nothing is written into them any more. */
  protected readonly dirs: Array<{ target: string; ino: number; mode: number; mtime: number }> = [];
  /** Rootless: read-only directories of lower layers opened for writing, and the mode to give back. */
  protected readonly reopened = new Map<string, { ino: number; mode: number }>();
  /** The options, with `rootless` decided once for the whole layer. */
  protected readonly options: OwnershipOptions;

  /** @param root the rootfs: absolute, without symlinks (`fs.realpath`) */
  constructor(
    protected readonly root: string,
    options: OwnershipOptions = {},
  ) {
    this.options = { ...options, rootless: isRootless(options) };
  }

  /** {@link LayerWrites}: whether this layer created the directory `rel`. */
  created(rel: string): boolean {
    return this.knownDirs.get(rel) === true;
  }

  /** {@link LayerWrites}: whether this layer wrote `rel` or something below it. */
  wrote(rel: string): boolean {
    return this.ownInLower.has(rel) || this.knownDirs.get(rel) === true;
  }

  /** {@link LayerWrites}: forgets the directories at and below `rel`, which was removed. */
  removed(rel: string): void {
    const below = `${rel}/`;
    for (const dir of this.knownDirs.keys()) if (dir === rel || dir.startsWith(below)) this.knownDirs.delete(dir);
  }

  /** Makes a device node or FIFO with mknod(1), replacing what is there, with the entry's owner, mode and mtime. */
  protected async mknod(place: Place, header: Header): Promise<void> {
    const { target } = place;
    if (fs.lstatSync(target, { throwIfNoEntry: false }) !== undefined) await this.replace(place);
    // Node has no mknod(2); mknod(1) makes devices (as root) and FIFOs (as anyone).
    const kind = header.type === 'fifo' ? ['p'] : [header.type === 'block-device' ? 'b' : 'c', String(header.devmajor), String(header.devminor)];
    await run('mknod', ['-m', modeOf(header).toString(8), target, ...kind]);
    this.chown(target, header);
    fs.chmodSync(target, modeOf(header));
    fs.lutimesSync(target, mtimeOf(header), mtimeOf(header));
  }

  /**
   * Where the entry `name` goes, with its directory ready: resolved inside the rootfs,
   * created when missing, writable. A directory seen before in this layer is used as it is,
   * without walking its path again.
   * @throws LayerEscapeError when the name resolves outside the rootfs
   */
  protected async place(name: string, entry: string): Promise<Place> {
    const inNewDir = this.knownDirs.get(path.posix.dirname(name));
    if (inNewDir !== undefined) return { target: `${this.root}/${name}`, rel: name, inNewDir };
    const target = await resolveInRoot(this.root, name, { entry });
    const rel = path.relative(this.root, target);
    const dir = path.posix.dirname(rel);
    if (!this.knownDirs.has(dir)) {
      this.writable(path.dirname(target));
      this.ensureParent(path.dirname(target));
      if (!this.knownDirs.has(dir)) this.knownDirs.set(dir, false);
    }
    return { target, rel, inNewDir: this.knownDirs.get(dir) === true };
  }

  /**
   * Runs `make`, an exclusive create (`open` with `O_EXCL`, `mkdir`, `symlink`, `link`); when
   * something is in the way (EEXIST), removes it and runs `make` again. The common case, a
   * new name, costs one syscall.
   */
  protected async create<T>(place: Place, make: () => T): Promise<T> {
    try {
      return make();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await this.replace(place);
    return make();
  }

  /** Removes what is at `place`: a file or symlink (never what it points to), or a whole directory. */
  protected async replace(place: Place): Promise<void> {
    try {
      fs.unlinkSync(place.target);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EISDIR' && code !== 'EPERM') throw err;
    }
    await removeAll(place.target);
    this.removed(place.rel);
  }

  /** Remembers the directory at `place`, just created by this layer (`made`) or merged into. */
  protected knownDir(place: Place, made: boolean): void {
    if (!made) this.writable(place.target);
    this.knownDirs.set(place.rel, made || this.knownDirs.get(place.rel) === true);
  }

  /** Remembers an entry written into a directory this layer did not create, with that directory's ancestors. */
  protected record(place: Place): void {
    if (!place.inNewDir) this.remember(place.rel);
  }

  private remember(rel: string): void {
    this.ownInLower.add(rel);
    for (let dir = path.posix.dirname(rel); dir !== '.' && !this.ownInLower.has(dir); dir = path.posix.dirname(dir)) this.ownInLower.add(dir);
  }

  /**
   * Rootless, a directory without owner write permission (say /root, 0550, from a lower layer)
   * cannot take new entries: open it up (its nearest existing ancestor, when it is missing)
   * until finish() gives its mode back. Root needs no such thing.
   */
  protected writable(dir: string): void {
    if (this.options.rootless !== true) return;
    let stats = fs.lstatSync(dir, { throwIfNoEntry: false });
    for (; stats === undefined && dir !== this.root; stats = fs.lstatSync(dir, { throwIfNoEntry: false })) dir = path.dirname(dir);
    if (stats === undefined || !stats.isDirectory() || (stats.mode & 0o700) === 0o700 || this.reopened.has(dir)) return;
    this.reopened.set(dir, { ino: stats.ino, mode: stats.mode & 0o7777 });
    fs.chmodSync(dir, (stats.mode & 0o7777) | 0o700);
  }

  /** Creates missing parent directories, owned by the container's root like docker's. */
  private ensureParent(dir: string): void {
    const first = fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (first === undefined) return;
    for (let created = dir; created.length >= first.length; created = path.dirname(created)) {
      const rel = path.relative(this.root, created);
      const owner = hostOwner(0, 0, this.options, rel);
      if (owner !== undefined) fs.lchownSync(created, owner.uid, owner.gid);
      this.knownDirs.set(rel, true);
    }
    // The first one is in a directory of a lower layer (or the rootfs itself).
    this.remember(path.relative(this.root, first));
  }

  /** Gives `target` itself (never what a symlink points to) the entry's owner, mapped by the options; nothing when the mapping says so. */
  protected chown(target: string, header: Header): void {
    const owner = hostOwner(header.uid, header.gid, this.options, header.name);
    if (owner !== undefined) fs.lchownSync(target, owner.uid, owner.gid);
  }
}

/** Writes an entry's data into the file as it arrives, one chunk at a time: nothing is held back. */
export async function writeAll(fd: number, content: EntryContent): Promise<void> {
  for await (const chunk of content) {
    const data = chunk as Buffer;
    for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done);
  }
}

/** An entry's permission bits, setuid, setgid and sticky included. */
export function modeOf(header: Header): number {
  return header.mode & 0o7777;
}

/** The mtime in seconds: a PAX record keeps the fraction of a second that the ustar header cannot. */
export function mtimeOf(header: Header): number {
  const pax = Number((header.pax as Record<string, string> | null | undefined)?.mtime);
  return Number.isFinite(pax) ? pax : header.mtime.getTime() / 1000;
}
