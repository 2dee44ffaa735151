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
import { NotImplementedError } from '../errors.js';
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
}
