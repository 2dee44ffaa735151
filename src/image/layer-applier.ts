/**
 * One layer's entries applied to a rootfs, in archive order: files, directories,
 * links and devices with their owners, modes and mtimes; whiteouts go to
 * whiteouts.ts. Every path goes through {@link resolveInRoot} (or lies in a
 * directory that did, earlier in the layer), so nothing an entry does can land
 * outside the rootfs.
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
import { NotImplementedError } from '../errors.js';
import { LayerEscapeError } from './layer-errors.js';
import { hostOwner, isRootless } from './ownership.js';
import type { OwnershipOptions } from './ownership.js';
import { cleanEntryName, removeAll, resolveInRoot } from './safe-path.js';
import { applyWhiteout, isWhiteout } from './whiteouts.js';
import type { LayerWrites } from './whiteouts.js';

/** An entry's data as the tar parser hands it over. */
export type EntryContent = AsyncIterable<unknown> & { resume(): unknown };

/** Where an entry goes: its host path, its path relative to the rootfs, and whether this layer created its directory. */
interface Place {
  target: string;
  rel: string;
  inNewDir: boolean;
}

/** Create only, and never through a symlink: the open fails if anything is there. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const run = promisify(execFile);

/** Applies the entries of one layer; call {@link LayerApplier.finish} after the last one. */
export class LayerApplier implements LayerWrites {
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
  private readonly dirs: Array<{ target: string; ino: number; mode: number; mtime: number }> = [];
  /** Rootless: read-only directories of lower layers opened for writing, and the mode to give back. */
  private readonly reopened = new Map<string, { ino: number; mode: number }>();
  /** The options, with `rootless` decided once for the whole layer. */
  private readonly options: OwnershipOptions;

  /** @param root the rootfs: absolute, without symlinks (`fs.realpath`) */
  constructor(
    private readonly root: string,
    options: OwnershipOptions = {},
  ) {
    this.options = { ...options, rootless: isRootless(options) };
  }

  /**
   * Applies one entry. `content` is the entry's data: read fully for a regular file,
   * drained otherwise.
   * @throws LayerEscapeError for an entry that would reach outside the rootfs (nothing is
   *   written for it), or for a device node when rootless
   * @throws Error for an unsupported entry type or a hardlink to a missing file
   */
  async apply(header: Header, content: EntryContent): Promise<void> {
    // TODO(lesson-06): Apply one entry: whiteouts, refusals, then the entry itself replacing what was there.
    // HINT: cleanEntryName() first. A base name starting with .wh. goes to applyWhiteout(…, this) and is never
    // HINT: created (make its directory writable() first). Devices when this.options.rootless: LayerEscapeError('device', …).
    // HINT: The '.' directory: skip it. Then `const place = await this.place(name, header.name)` and, by type:
    // HINT: files writeFile(); directories lstatSync: a directory over a directory merges, anything else is replace()d,
    // HINT: then mkdirSync(…, 0o700), knownDir(), chown() and this.dirs.push(…); symlinks create() + chown() + lutimesSync.
    // HINT: Call content.resume() for entries whose data you do not read, and this.record(place) at the end.
    void header, content;
    throw new NotImplementedError('lesson-06: LayerApplier.apply');
  }

  /** Sets the mode and mtime of this layer's directories, deepest first, now that their content is complete. */
  async finish(): Promise<void> {
    // TODO(lesson-06): Set the deferred mode and mtime of this layer's directories, deepest first.
    // HINT: Give this.reopened directories their mode back first. Skip any path that is no longer the same
    // HINT: directory (lstatSync: isDirectory() and the same ino): a later entry may have replaced it. Of two entries
    // HINT: for one path, only the later one counts.
    throw new NotImplementedError('lesson-06: LayerApplier.finish');
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

  private async writeFile(place: Place, header: Header, content: EntryContent): Promise<void> {
    // TODO(lesson-06): Create the file with CREATE_NEW, stream the content in, then chown, chmod and set the mtime.
    // HINT: this.create(place, () => fs.openSync(place.target, CREATE_NEW, 0o600)) gives the fd; writeAll(fd, content);
    // HINT: then fchownSync (when hostOwner() says so), fchmodSync, futimesSync: chown first, it clears setuid. closeSync.
    void place, header, content;
    throw new NotImplementedError('lesson-06: LayerApplier.writeFile');
  }

  private async hardlink(place: Place, header: Header): Promise<void> {
    // TODO(lesson-06): Resolve the link target inside the rootfs and link to it, refusing targets outside.
    // HINT: cleanEntryName(header.linkname) throws for /… and ../…: report those as kind 'hardlink'.
    // HINT: resolveInRoot(this.root, linkName, { kind: 'hardlink', entry: header.name }) catches an escaping symlink.
    // HINT: Refuse a missing or directory target, then this.create(place, () => fs.linkSync(source, place.target)).
    void place, header;
    throw new NotImplementedError('lesson-06: LayerApplier.hardlink');
  }

  private async mknod(place: Place, header: Header): Promise<void> {
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
  private async place(name: string, entry: string): Promise<Place> {
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
  private async create<T>(place: Place, make: () => T): Promise<T> {
    try {
      return make();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    await this.replace(place);
    return make();
  }

  /** Removes what is at `place`: a file or symlink (never what it points to), or a whole directory. */
  private async replace(place: Place): Promise<void> {
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
  private knownDir(place: Place, made: boolean): void {
    if (!made) this.writable(place.target);
    this.knownDirs.set(place.rel, made || this.knownDirs.get(place.rel) === true);
  }

  /** Remembers an entry written into a directory this layer did not create, with that directory's ancestors. */
  private record(place: Place): void {
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
  private writable(dir: string): void {
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

  private chown(target: string, header: Header): void {
    const owner = hostOwner(header.uid, header.gid, this.options, header.name);
    if (owner !== undefined) fs.lchownSync(target, owner.uid, owner.gid);
  }
}

/** Writes an entry's data into the file as it arrives, one chunk at a time: nothing is held back. */
async function writeAll(fd: number, content: EntryContent): Promise<void> {
  for await (const chunk of content) {
    const data = chunk as Buffer;
    for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done);
  }
}

function modeOf(header: Header): number {
  return header.mode & 0o7777;
}

/** The mtime in seconds: a PAX record keeps the fraction of a second that the ustar header cannot. */
function mtimeOf(header: Header): number {
  const pax = Number((header.pax as Record<string, string> | null | undefined)?.mtime);
  return Number.isFinite(pax) ? pax : header.mtime.getTime() / 1000;
}
