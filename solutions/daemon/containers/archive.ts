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
  let mount: FsMount | undefined;
  for (const m of fsys.mounts) {
    const holds = containerPath === m.destination || containerPath.startsWith(m.destination === '/' ? '/' : `${m.destination}/`);
    if (holds && (mount === undefined || m.destination.length > mount.destination.length)) mount = m;
  }
  const host = mount === undefined ? path.join(fsys.root, containerPath) : path.join(mount.source, containerPath.slice(mount.destination.length));
  return { host, mount };
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
  const done: string[] = [];
  // docker cleans the path as text first (filepath.Join("/", path)): only a symlink's target brings a ".." here.
  let pending = path.posix.normalize(`/${target}`).split('/');
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = `/${[...done, part].join('/')}`;
    const follow = options.followFinal === true || pending.some((p) => p !== '' && p !== '.');
    const stats = follow ? await lstatOrUndefined(locate(fsys, here).host) : undefined;
    if (stats === undefined || !stats.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw Object.assign(new SystemError(`${target}: too many levels of symbolic links`), { code: 'ELOOP' });
    const link = await fs.readlink(locate(fsys, here).host);
    if (link.startsWith('/')) done.length = 0;
    pending = [...link.split('/'), ...pending];
  }
  const resolved = `/${done.join('/')}`;
  return { path: resolved, ...locate(fsys, resolved) };
}

/**
 * docker's stat of a container path (HEAD `/containers/{id}/archive`): the
 * path's own stats, not its symlink's target — unless it ends in `/` or
 * `/.`. For a symlink, `linkTarget` is the container path it finally leads
 * to (followed as far as it goes).
 * @throws the file system's ENOENT or ENOTDIR when nothing is there
 */
export async function statPath(fsys: ContainerFilesystem, target: string): Promise<ContainerPathStat> {
  const resolved = await resolveContainerPath(fsys, target, { followFinal: meansDirectory(target) });
  const stats = await fs.lstat(resolved.host, { bigint: true });
  const linkTarget = stats.isSymbolicLink() ? (await resolveContainerPath(fsys, resolved.path, { followFinal: true })).path : '';
  return { name: baseName(target), size: Number(stats.size), mode: goFileMode(stats), mtime: goTime(stats), linkTarget };
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
  const stat = await statPath(fsys, target);
  const top = await resolveContainerPath(fsys, target, { followFinal: meansDirectory(target) });
  const writer = new TarWriter(fsys.idMap);
  const walk = async (containerPath: string, name: string): Promise<void> => {
    const { host } = locate(fsys, containerPath);
    const stats = await fs.lstat(host, { bigint: true }).catch(() => undefined);
    if (stats === undefined) return; // gone since it was listed: left out, as docker leaves it
    await writer.add(host, name, stats);
    if (!stats.isDirectory()) return;
    const below = (await fs.readdir(host)).concat(
      fsys.mounts.filter((m) => path.posix.dirname(m.destination) === containerPath && m.destination !== '/').map((m) => path.posix.basename(m.destination)),
    );
    for (const child of [...new Set(below)].sort()) {
      await walk(path.posix.join(containerPath, child), name === '/' ? `/${child}` : `${name}/${child}`);
    }
  };
  walk(top.path, stat.name).then(
    () => writer.finish(),
    (err: unknown) => writer.fail(err),
  );
  return { stat, tar: writer.tar };
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
  const dest = await resolveContainerPath(fsys, target, { followFinal: true });
  if (!(await fs.stat(dest.host)).isDirectory()) throw new InvalidParameterError('extraction point is not a directory');
  checkWritable(fsys, dest);
  const roots = new Map<string, { real: string; applier: LayerApplier }>();
  const entries = await readTarBody(body, options.maxBytes ?? MAX_ARCHIVE_BYTES);
  try {
    for await (const entry of entries) {
      const { header } = entry;
      const name = cleanEntryName(header.name.replace(/^\/+/, '') || '.');
      refuseUncopyable(header, name);
      const containerPath = path.posix.join(dest.path, name);
      const where = locate(fsys, containerPath);
      checkWritable(fsys, where);
      const root = where.mount?.source ?? fsys.root;
      const rel = path.relative(root, where.host) || '.';
      if (rel === '.') {
        // The extraction point, or a mount point: a directory keeps what it has, anything else may not replace it.
        entry.resume();
        if (header.type === 'directory') continue;
        throw new ConflictError(`cannot overwrite "${containerPath}" with a non-directory: it is ${containerPath === dest.path ? 'the extraction point' : 'a mount point'}`);
      }
      let at = roots.get(root);
      if (at === undefined) {
        const real = await fs.realpath(root);
        roots.set(root, (at = { real, applier: new LayerApplier(real, { idMap: fsys.idMap }) }));
      }
      if (options.noOverwriteDirNonDir === true) await refuseTypeChange(at.real, rel, header, containerPath, dest.path);
      const linkname = header.type === 'link' ? hardlinkIn(fsys, dest.path, header, root) : header.linkname;
      await at.applier.apply({ ...header, ...options.owner, name: rel, linkname }, entry);
    }
  } catch (err) {
    entries.stop();
    for (const { applier } of roots.values()) await applier.finish().catch(() => undefined);
    throw err;
  }
  for (const { applier } of roots.values()) await applier.finish();
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
