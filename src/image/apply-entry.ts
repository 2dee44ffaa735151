/**
 * One layer's entries applied to a rootfs, in archive order: files, directories,
 * links and devices with their owners, modes and mtimes; whiteouts go to
 * whiteouts.ts. Every path goes through {@link resolveInRoot}, so nothing an
 * entry does can land outside the rootfs.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Header } from 'tar-stream';
import { NotImplementedError } from '../errors.js';
import { LayerEscapeError } from './layer-errors.js';
import { hostOwner, isRootless } from './ownership.js';
import type { OwnershipOptions } from './ownership.js';
import { cleanEntryName, lstatOrUndefined, removeAll, resolveInRoot } from './safe-path.js';
import { applyWhiteout, isWhiteout } from './whiteouts.js';

/** An entry's data as the tar parser hands it over. */
export type EntryContent = AsyncIterable<unknown> & { resume(): unknown };

/** Create only, and never through a symlink: the open fails if anything is there. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Bytes gathered before one write(2): large writes are fast, and memory stays at one batch. */
const WRITE_BATCH = 1 << 20;
const run = promisify(execFile);

/** Applies the entries of one layer; call {@link LayerApplier.finish} after the last one. */
export class LayerApplier {
  /** Host paths this layer wrote, and their ancestors: what its whiteouts must leave alone. */
  private readonly written = new Set<string>();
  /** Directories whose mode and mtime are set last, once nothing is written into them any more. */
  private readonly dirs: Array<{ target: string; ino: number; mode: number; mtime: number }> = [];
  /** Rootless: read-only directories of lower layers opened for writing, and the mode to give back. */
  private readonly reopened = new Map<string, { ino: number; mode: number }>();

  /** @param root the rootfs: absolute, without symlinks (`fs.realpath`) */
  constructor(
    private readonly root: string,
    private readonly options: OwnershipOptions = {},
  ) {}

  /**
   * Applies one entry. `content` is the entry's data: read fully for a regular file,
   * drained otherwise.
   * @throws LayerEscapeError for an entry that would reach outside the rootfs (nothing is
   *   written for it), or for a device node when rootless
   * @throws Error for an unsupported entry type or a hardlink to a missing file
   */
  async apply(header: Header, content: EntryContent): Promise<void> {
    // TODO(lesson-06): Apply one entry: whiteouts, refusals, then the entry itself replacing what was there.
    // HINT: cleanEntryName() first. A base name starting with .wh. goes to applyWhiteout() and is never created.
    // HINT: Devices when isRootless(this.options): LayerEscapeError('device', …). The '.' directory: skip it.
    // HINT: resolveInRoot(this.root, name, { entry: header.name }); writable() and ensureParent() its directory; then
    // HINT: lstat the target: a directory over a directory merges, anything else is removeAll()'d first (a hardlink
    // HINT: only after its own checks). Directories: mkdir, chown, this.dirs.push(…). Symlinks: symlink, lchown, lutimes.
    // HINT: Call content.resume() for entries whose data you do not read, and this.remember(target) at the end.
    void header, content;
    throw new NotImplementedError('lesson-06: LayerApplier.apply');
  }

  /** Sets the mode and mtime of this layer's directories, deepest first, now that their content is complete. */
  async finish(): Promise<void> {
    // TODO(lesson-06): Set the deferred mode and mtime of this layer's directories, deepest first.
    // HINT: Give this.reopened directories their mode back first. Skip any path that is no longer the same
    // HINT: directory (lstat: isDirectory() and the same ino): a later entry may have replaced it.
    throw new NotImplementedError('lesson-06: LayerApplier.finish');
  }

  private async writeFile(target: string, header: Header, content: EntryContent): Promise<void> {
    // TODO(lesson-06): Create the file with CREATE_NEW, stream the content in, then chown, chmod and set the mtime.
    // HINT: fs.open(target, CREATE_NEW, 0o600) and writeAll(); chown before chmod, because chown clears setuid.
    void target, header, content;
    throw new NotImplementedError('lesson-06: LayerApplier.writeFile');
  }

  private async hardlink(target: string, header: Header, exists: boolean): Promise<void> {
    // TODO(lesson-06): Resolve the link target inside the rootfs and link to it, refusing targets outside.
    // HINT: cleanEntryName(header.linkname) throws for /… and ../…: report those as kind 'hardlink'.
    // HINT: resolveInRoot(this.root, linkName, { kind: 'hardlink', entry: header.name }) catches an escaping symlink.
    void target, header, exists;
    throw new NotImplementedError('lesson-06: LayerApplier.hardlink');
  }

  private async mknod(target: string, header: Header): Promise<void> {
    // Node has no mknod(2); mknod(1) makes devices (as root) and FIFOs (as anyone).
    const kind = header.type === 'fifo' ? ['p'] : [header.type === 'block-device' ? 'b' : 'c', String(header.devmajor), String(header.devminor)];
    await run('mknod', ['-m', modeOf(header).toString(8), target, ...kind]);
    await this.chown(target, header);
    await fs.chmod(target, modeOf(header));
    await fs.lutimes(target, mtimeOf(header), mtimeOf(header));
  }

  /**
   * Rootless, a directory without owner write permission (say /root, 0550, from a lower layer)
   * cannot take new entries: open it up (its nearest existing ancestor, when it is missing)
   * until finish() gives its mode back. Root needs no such thing.
   */
  private async writable(dir: string): Promise<void> {
    if (!isRootless(this.options)) return;
    let stats = await lstatOrUndefined(dir);
    for (; stats === undefined && dir !== this.root; stats = await lstatOrUndefined(dir)) dir = path.dirname(dir);
    if (stats === undefined || !stats.isDirectory() || (stats.mode & 0o700) === 0o700 || this.reopened.has(dir)) return;
    this.reopened.set(dir, { ino: stats.ino, mode: stats.mode & 0o7777 });
    await fs.chmod(dir, (stats.mode & 0o7777) | 0o700);
  }

  /** Creates missing parent directories, owned by the container's root like docker's. */
  private async ensureParent(dir: string): Promise<void> {
    const first = await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    if (first === undefined) return;
    for (let created = dir; created.length >= first.length; created = path.dirname(created)) {
      const owner = hostOwner(0, 0, this.options, path.relative(this.root, created));
      if (owner !== undefined) await fs.lchown(created, owner.uid, owner.gid);
    }
  }

  private async chown(target: string, header: Header): Promise<void> {
    const owner = hostOwner(header.uid, header.gid, this.options, header.name);
    if (owner !== undefined) await fs.lchown(target, owner.uid, owner.gid);
  }

  private remember(target: string): void {
    for (let p = target; p !== this.root && !this.written.has(p); p = path.dirname(p)) this.written.add(p);
  }
}

/** Copies an entry's data into the file, one batch of chunks per write. */
async function writeAll(file: FileHandle, content: EntryContent): Promise<void> {
  let batch: Buffer[] = [];
  let size = 0;
  const flush = async () => {
    const data = Buffer.concat(batch, size);
    for (let done = 0; done < data.length; ) done += (await file.write(data, done)).bytesWritten;
    batch = [];
    size = 0;
  };
  for await (const chunk of content) {
    batch.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= WRITE_BATCH) await flush();
  }
  if (size > 0) await flush();
}

function modeOf(header: Header): number {
  return header.mode & 0o7777;
}

/** The mtime in seconds: a PAX record keeps the fraction of a second that the ustar header cannot. */
function mtimeOf(header: Header): number {
  const pax = Number((header.pax as Record<string, string> | null | undefined)?.mtime);
  return Number.isFinite(pax) ? pax : header.mtime.getTime() / 1000;
}
