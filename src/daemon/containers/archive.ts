/**
 * The files behind `docker cp`: stat a path in a container, archive it as a
 * tar, and extract a tar into a directory of it, every path read as a
 * process inside the container would read it — chrooted into its root, with
 * its mounts on top — so nothing outside the container is ever touched.
 *
 * ```
 * container path  /data/logs/../app.log              ─▶ host path
 *   /                  the container's root          <container dir>/bundle/rootfs/…
 *   /data              a volume (longest mount wins) <data root>/volumes/v/_data/…
 *   /etc/hostname      a network file                <container dir>/hostname
 * symlink /cur -> /data/v2: followed from the container's root; `..` stops at `/`
 *
 * GET /etc   ─▶ tar: etc/  etc/hostname  etc/passwd …   (`/etc/.`: ./  ./hostname …)
 * PUT /tmp   ◀─ tar: a.txt  sub/  sub/b.txt            ─▶ /tmp/a.txt …, through lesson 06's LayerApplier
 * ```
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import type { ContainerPathStat } from '../../api/volume-types.js';
import { ConflictError, InvalidParameterError, SystemError } from '../../errdefs.js';
import { NotImplementedError } from '../../errors.js';
import { LayerApplier } from '../../image/layer-applier.js';
import { LayerEscapeError } from '../../image/layer-errors.js';
import { cleanEntryName, lstatOrUndefined, MAX_SYMLINKS } from '../../image/safe-path.js';
import { baseName, checkWritable, goFileMode, goTime, meansDirectory, refuseTypeChange, refuseUncopyable } from './archive-support.js';
import type { ContainerFilesystem, FsMount, Located } from './archive-support.js';
import { MAX_ARCHIVE_BYTES, readTarBody, TarWriter } from './archive-tar.js';

/** A container path resolved inside the container: clean, absolute, no symlink in it but maybe the last component. */
export interface ResolvedPath extends Located {
  /** The container path: absolute, clean, each component as the kernel would reach it. */
  path: string;
}

/** How {@link extractIn} writes. */
export interface ExtractOptions {
  /** docker's `noOverwriteDirNonDir`: refuse to replace a directory with a non-directory, or the other way round. */
  noOverwriteDirNonDir?: boolean;
  /** Give every entry this owner (container ids; `copyUIDGID` with a Config.User); undefined: the tar's own ids. */
  owner?: { uid: number; gid: number };
  /** The most bytes of body (and of tar inside a gzip) read; default MAX_ARCHIVE_BYTES. */
  maxBytes?: number;
}

/**
 * Where the clean absolute container path `containerPath` is on the host, by
 * the mounts alone (no symlink is looked at): under the mount with the
 * longest destination that is the path or one of its parents, else under the
 * container's root.
 */
export function locate(fsys: ContainerFilesystem, containerPath: string): Located {
  // TODO(lesson-15): Find the mount holding the path (the longest destination that is the path or a parent of it) and join the rest of the path onto its source, or onto fsys.root when none does.
  // HINT: `/data` holds `/data` and `/data/x`, not `/database`; a mount at `/` holds every path.
  // HINT: with a mount: path.join(mount.source, containerPath.slice(mount.destination.length)); without: path.join(fsys.root, containerPath).
  void fsys, containerPath;
  throw new NotImplementedError('lesson-15: locate');
}

/**
 * Resolves `target` (absolute or relative to `/`) the way the kernel would
 * for a process chrooted into the container: component by component, each
 * looked up where {@link locate} puts it; a symlink's target is followed from
 * its own directory, an absolute one from the container's `/`; `..` never
 * climbs above `/`. The last component is followed only with `followFinal`.
 * Missing components are kept as they are.
 * @throws SystemError (ELOOP) after MAX_SYMLINKS symlinks
 */
export async function resolveContainerPath(fsys: ContainerFilesystem, target: string, options: { followFinal?: boolean } = {}): Promise<ResolvedPath> {
  // TODO(lesson-15): Walk the path one component at a time as a chrooted process would, following symlinks from the container's / and never climbing above it.
  // HINT: start from path.posix.normalize(`/${target}`).split('/'): docker cleans the text first, so only a link's target brings a "..".
  // HINT: keep the resolved components in a list; ".." pops one (nothing to pop at /); lstatOrUndefined(locate(fsys, here).host) tells a symlink.
  // HINT: a symlink (but the last component, unless followFinal): fs.readlink it, start over at / when its target is absolute, put its components in front of the rest.
  // HINT: count the links: past MAX_SYMLINKS throw a SystemError with code 'ELOOP'; at the end return { path, ...locate(fsys, path) }.
  void fsys, target, options;
  throw new NotImplementedError('lesson-15: resolveContainerPath');
}

/**
 * docker's stat of a container path (HEAD `/containers/{id}/archive`): the
 * path's own stats, not its symlink's target — unless it ends in `/` or
 * `/.`. For a symlink, `linkTarget` is the container path it finally leads
 * to (followed as far as it goes).
 * @throws the file system's ENOENT or ENOTDIR when nothing is there
 */
export async function statPath(fsys: ContainerFilesystem, target: string): Promise<ContainerPathStat> {
  // TODO(lesson-15): Stat the path itself (its final symlink followed only when it ends in / or /.), as docker's PathStat.
  // HINT: resolveContainerPath(fsys, target, { followFinal: meansDirectory(target) }), then fs.lstat(resolved.host, { bigint: true }).
  // HINT: name: baseName(target); mode: goFileMode(stats); mtime: goTime(stats); for a symlink, linkTarget is the path of resolveContainerPath(…, { followFinal: true }).
  void fsys, target;
  throw new NotImplementedError('lesson-15: statPath');
}

/**
 * docker's tar of a container path (GET `/containers/{id}/archive`): a file,
 * symlink (as a symlink) or other entry alone under its base name; a
 * directory as its base name and everything below it, `<base>/…`, walked
 * depth first in name order, crossing into what is mounted below it (a
 * volume, a network file). `/dir/.` names the entries `./…`; `/` names them
 * `/…`, as docker does. The tar is streamed as it is read from disk.
 * @returns the path's stat (for the header) and the tar; a read error later ends the tar with that error
 * @throws the file system's ENOENT or ENOTDIR when nothing is there
 */
export async function archiveOut(fsys: ContainerFilesystem, target: string): Promise<{ stat: ContainerPathStat; tar: Readable }> {
  // TODO(lesson-15): Stat the path, then stream its tar: the entry itself under stat.name and, for a directory, everything below it depth first in name order.
  // HINT: the walk starts at resolveContainerPath(fsys, target, { followFinal: meansDirectory(target) }).path; each entry is fs.lstat(locate(…).host, { bigint: true }), then writer.add(host, name, stats).
  // HINT: a directory's children: fs.readdir(host) plus the base names of the mounts whose destination sits right below it; names are `${name}/${child}` (`/${child}` under '/').
  // HINT: const writer = new TarWriter(fsys.idMap); do not await the walk: return { stat, tar: writer.tar } at once, and finish() (or fail(err)) when the walk is done.
  void fsys, target;
  throw new NotImplementedError('lesson-15: archiveOut');
}

/**
 * Extracts the tar in `body` into the directory `target` of the container
 * (PUT `/containers/{id}/archive`), as the body arrives. The extraction point
 * is resolved with its last symlink followed and must be a writable
 * directory; each entry is named relative to it (a leading `/` dropped,
 * `..` above it refused) and written by lesson 06's LayerApplier into the
 * root or mount that holds it, so no name, symlink or hard link in the tar
 * can reach outside the container's root. Unlike a layer's, the tar's `.wh.`
 * names are no whiteouts (they are refused), and device nodes are refused.
 * @throws the file system's ENOENT when `target` is missing; InvalidParameterError
 *   `extraction point is not a directory`, the read-only refusals of {@link checkWritable},
 *   a refused entry; LayerEscapeError for an entry that would leave its root; ConflictError
 *   (`noOverwriteDirNonDir`) `cannot overwrite directory "<path>" with non-directory "<target>"`
 *   or the other way round; RequestTooLargeError past `maxBytes`
 */
export async function extractIn(fsys: ContainerFilesystem, target: string, body: Readable, options: ExtractOptions = {}): Promise<void> {
  // TODO(lesson-15): Check the extraction point, then apply each entry of the tar with lesson 06's LayerApplier in the root or mount that holds it.
  // HINT: the point: resolveContainerPath(…, { followFinal: true }); fs.stat must be a directory (else InvalidParameterError `extraction point is not a directory`); checkWritable.
  // HINT: readTarBody(body, options.maxBytes ?? MAX_ARCHIVE_BYTES) gives the entries; on any failure call its stop() before rethrowing.
  // HINT: per entry: cleanEntryName(header.name without leading /), refuseUncopyable, locate the container path below the point, checkWritable; `rel` is its path below its root (mount source or fsys.root).
  // HINT: rel '.' (the point, a mount point): resume() and skip a directory, refuse anything else; noOverwriteDirNonDir: refuseTypeChange; a hard link's linkname: hardlinkIn.
  // HINT: one LayerApplier per root (new LayerApplier(await fs.realpath(root), { idMap: fsys.idMap })): apply({ ...header, ...options.owner, name: rel, linkname }, entry); finish() each at the end.
  void fsys, target, body, options;
  throw new NotImplementedError('lesson-15: extractIn');
}

/**
 * A hard link's target, named in the tar relative to the extraction point
 * (docker's rule), as a path relative to `root`, where the link itself goes.
 * @throws LayerEscapeError `hardlink` for a target above the extraction point; InvalidParameterError for one in another mount
 */
function hardlinkIn(fsys: ContainerFilesystem, dest: string, header: Header, root: string): string {
  let name: string;
  try {
    name = cleanEntryName(header.linkname.replace(/^\/+/, '') || '.');
  } catch {
    throw new LayerEscapeError('hardlink', header.name, `its target "${header.linkname}" is outside the extraction point`);
  }
  const where = locate(fsys, path.posix.join(dest, name));
  if ((where.mount?.source ?? fsys.root) !== root) throw new InvalidParameterError(`archive entry "${header.name}": a hard link cannot lead into another mount (${header.linkname})`);
  return path.relative(root, where.host) || '.';
}
