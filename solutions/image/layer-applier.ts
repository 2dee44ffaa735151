/**
 * One layer's entries applied to a rootfs, in archive order: files, directories,
 * links and devices with their owners, modes and mtimes; whiteouts go to
 * whiteouts.ts. What a kind of entry means is decided here; where it goes and
 * how it is created safely is rootfs-writer.ts's work (provided), so nothing an
 * entry does can land outside the rootfs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Header } from 'tar-stream';
import { LayerEscapeError } from './layer-errors.js';
import { hostOwner } from './ownership.js';
import { CREATE_NEW, RootfsWriter, modeOf, mtimeOf, writeAll } from './rootfs-writer.js';
import type { EntryContent, Place } from './rootfs-writer.js';
import { cleanEntryName, resolveInRoot } from './safe-path.js';
import { applyWhiteout, isWhiteout } from './whiteouts.js';

/**
 * Applies the entries of one layer; call {@link LayerApplier.finish} after the last one.
 * `new LayerApplier(root, options)`: `root` is the rootfs, absolute and without
 * symlinks (`fs.realpath`); the rest comes from {@link RootfsWriter}.
 */
export class LayerApplier extends RootfsWriter {
  /**
   * Applies one entry. `content` is the entry's data: read fully for a regular file,
   * drained otherwise.
   * @throws LayerEscapeError for an entry that would reach outside the rootfs (nothing is
   *   written for it), or for a device node when rootless
   * @throws Error for an unsupported entry type or a hardlink to a missing file
   */
  async apply(header: Header, content: EntryContent): Promise<void> {
    const name = cleanEntryName(header.name);
    if (header.type !== 'file' && header.type !== 'contiguous-file') content.resume();
    if (isWhiteout(path.posix.basename(name))) {
      content.resume();
      this.writable(await resolveInRoot(this.root, path.posix.dirname(name), { followFinal: true, entry: header.name }));
      return applyWhiteout(this.root, header.name, name, this);
    }
    if ((header.type === 'character-device' || header.type === 'block-device') && this.options.rootless === true) {
      throw new LayerEscapeError('device', header.name, 'device nodes can only be created by root');
    }
    if (name === '.') {
      // Like docker: the rootfs directory itself keeps the owner and mode it was created with.
      if (header.type === 'directory') return;
      throw new Error(`layer entry "${header.name}" would replace the rootfs itself`);
    }
    const place = await this.place(name, header.name);
    const { target } = place;
    switch (header.type) {
      case 'file':
      case 'contiguous-file':
        await this.writeFile(place, header, content);
        break;
      case 'directory': {
        // Both directories: merge, keeping the content. Anything else is replaced.
        const existing = fs.lstatSync(target, { throwIfNoEntry: false });
        const merge = existing?.isDirectory() === true;
        if (!merge) {
          if (existing !== undefined) await this.replace(place);
          fs.mkdirSync(target, { mode: 0o700 });
        }
        this.knownDir(place, !merge);
        this.chown(target, header);
        this.dirs.push({ target, ino: fs.lstatSync(target).ino, mode: modeOf(header), mtime: mtimeOf(header) });
        break;
      }
      case 'symlink':
        // Created exactly as the entry says: "/bin/busybox" means the rootfs's /bin/busybox at run time.
        await this.create(place, () => fs.symlinkSync(header.linkname, target));
        this.chown(target, header);
        fs.lutimesSync(target, mtimeOf(header), mtimeOf(header));
        break;
      case 'link':
        await this.hardlink(place, header);
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await this.mknod(place, header);
        break;
      default:
        throw new Error(`layer entry "${header.name}" has an unsupported type (${String(header.type)})`);
    }
    this.record(place);
  }

  /** Sets the mode and mtime of this layer's directories, deepest first, now that their content is complete. */
  async finish(): Promise<void> {
    for (const [target, { ino, mode }] of this.reopened) {
      const stats = fs.lstatSync(target, { throwIfNoEntry: false });
      if (stats?.isDirectory() === true && stats.ino === ino) fs.chmodSync(target, mode);
    }
    // Latest first: of two entries for one directory, the later one in the archive wins.
    const done = new Set<string>();
    for (const dir of this.dirs.reverse()) {
      if (done.has(dir.target)) continue;
      done.add(dir.target);
      const stats = fs.lstatSync(dir.target, { throwIfNoEntry: false });
      // A later entry may have replaced the directory, even by a symlink: leave that alone.
      if (stats === undefined || !stats.isDirectory() || stats.ino !== dir.ino) continue;
      fs.chmodSync(dir.target, dir.mode);
      fs.lutimesSync(dir.target, dir.mtime, dir.mtime);
    }
  }

  private async writeFile(place: Place, header: Header, content: EntryContent): Promise<void> {
    const fd = await this.create(place, () => fs.openSync(place.target, CREATE_NEW, 0o600));
    try {
      await writeAll(fd, content);
      const owner = hostOwner(header.uid, header.gid, this.options, header.name);
      if (owner !== undefined) fs.fchownSync(fd, owner.uid, owner.gid);
      // After chown, which clears the setuid and setgid bits.
      fs.fchmodSync(fd, modeOf(header));
      fs.futimesSync(fd, mtimeOf(header), mtimeOf(header));
    } finally {
      fs.closeSync(fd);
    }
  }

  private async hardlink(place: Place, header: Header): Promise<void> {
    let linkName: string;
    try {
      linkName = cleanEntryName(header.linkname);
    } catch (err) {
      if (!(err instanceof LayerEscapeError)) throw err;
      throw new LayerEscapeError('hardlink', header.name, `its target "${header.linkname}" is outside the rootfs`);
    }
    const source = await resolveInRoot(this.root, linkName, { kind: 'hardlink', entry: header.name });
    if (source === place.target) return;
    const stats = fs.lstatSync(source, { throwIfNoEntry: false });
    if (stats === undefined || stats.isDirectory()) {
      throw new Error(`layer entry "${header.name}": hardlink target "${header.linkname}" is ${stats ? 'a directory' : 'missing'}`);
    }
    // link(2) does not follow a symlink in `source`: linking one makes another symlink, nothing more.
    await this.create(place, () => fs.linkSync(source, place.target));
  }
}
