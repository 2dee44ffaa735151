/**
 * Provided: what lesson 15's archive.ts works on and answers with — a
 * container's filesystem (its root and mounts), docker's PathStat header
 * (api/volume-types.ts's ContainerPathStat) with Go's `os.FileMode` bits and
 * time format, and docker's rules that teach nothing about paths: how it
 * names a path, which writes are read-only, what a copy refuses that a
 * layer would write.
 *
 * ```
 * X-Docker-Container-Path-Stat: base64({"name":"hostname","size":13,"mode":420,"mtime":"2025-01-02T03:04:05.123456789Z","linkTarget":""})
 *                                        mode: permission bits + Go's type bits (ModeDir 1<<31, ModeSymlink 1<<27 …)
 * ```
 */
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import type { Header } from 'tar-stream';
import { GO_MODE } from '../../api/volume-types.js';
import type { ContainerPathStat } from '../../api/volume-types.js';
import { ConflictError, InvalidParameterError } from '../../errdefs.js';
import type { IdMap } from '../../image/ownership.js';
import { lstatOrUndefined, resolveInRoot } from '../../image/safe-path.js';
import { isWhiteout } from '../../image/whiteouts.js';

/** A directory or file of the host mounted into the container: a bind, a volume, a network file. */
export interface FsMount {
  /** Where the container sees it: absolute and clean (`/data`). */
  destination: string;
  /** The host path it shows. */
  source: string;
  readonly: boolean;
}

/** A container path and where it is on the host. */
export interface Located {
  /** The host path. */
  host: string;
  /** The mount it lies in; undefined: the container's root. */
  mount: FsMount | undefined;
}

/** A container's files as a process inside it sees them. */
export interface ContainerFilesystem {
  /** The host path of the container's root (its rootfs: an overlay mount or a plain copy). */
  root: string;
  /** What is mounted on top of the root; the longest destination that holds a path wins. */
  mounts: FsMount[];
  /** `--read-only`: nothing may be written to the root itself. */
  readonlyRootfs: boolean;
  /** The container's user-namespace id maps (rootless); undefined: container ids are host ids. */
  idMap?: IdMap;
}

/** The response header that carries a {@link ContainerPathStat}. */
export const PATH_STAT_HEADER = 'X-Docker-Container-Path-Stat';

/** The `os.FileMode` Go's `os.Lstat` gives for these stats: permission bits plus the type and special bits. */
export function goFileMode(stats: BigIntStats): number {
  const mode = Number(stats.mode);
  let out = mode & 0o777;
  if (stats.isDirectory()) out += GO_MODE.dir;
  else if (stats.isSymbolicLink()) out += GO_MODE.symlink;
  else if (stats.isBlockDevice()) out += GO_MODE.device;
  else if (stats.isCharacterDevice()) out += GO_MODE.device + GO_MODE.charDevice;
  else if (stats.isFIFO()) out += GO_MODE.namedPipe;
  else if (stats.isSocket()) out += GO_MODE.socket;
  if (mode & 0o4000) out += GO_MODE.setuid;
  if (mode & 0o2000) out += GO_MODE.setgid;
  if (mode & 0o1000) out += GO_MODE.sticky;
  return out;
}

/** An mtime as Go's `time.Time` marshals it in UTC: RFC 3339, the fraction's trailing zeros dropped (none at all for whole seconds). */
export function goTime(stats: BigIntStats): string {
  const seconds = stats.mtimeNs / 1_000_000_000n;
  const nanos = stats.mtimeNs % 1_000_000_000n;
  const whole = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  const fraction = nanos === 0n ? '' : `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${whole}${fraction}Z`;
}

/** The value of the {@link PATH_STAT_HEADER} header: the stat's JSON, base64-encoded. */
export function encodePathStat(stat: ContainerPathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

/** Whether a path names a directory's content rather than the entry itself: it ends in `/` or `/.` (docker follows a final symlink then). */
export function meansDirectory(target: string): boolean {
  return /(^|\/)\.?$/.test(target);
}

/** The name docker gives a path (PathStat's name, the tar's top entry): Go's `filepath.Base`, `.` for `/dir/.`, `/` for `/`. */
export function baseName(target: string): string {
  if (/(^|\/)\.\/*$/.test(target)) return '.';
  const base = path.posix.basename(path.posix.normalize(`/${target}`));
  return base === '' ? '/' : base;
}

/**
 * Refuses a write to `where` when it is read-only, in docker's words:
 * `mounted volume is marked read-only` (a read-only mount),
 * `container rootfs is marked read-only` (the root of a `--read-only` container).
 * @throws InvalidParameterError
 */
export function checkWritable(fsys: ContainerFilesystem, where: Located): void {
  if (where.mount?.readonly === true) throw new InvalidParameterError('mounted volume is marked read-only');
  if (where.mount === undefined && fsys.readonlyRootfs) throw new InvalidParameterError('container rootfs is marked read-only');
}

/**
 * Refuses what a copy does not write, though a layer would: a device node (a
 * way into the host's devices for whoever can open it) and a `.wh.` name (a
 * layer's whiteout: a layer applier would delete a file for it).
 * @param name the entry's clean name
 * @throws InvalidParameterError naming the entry
 */
export function refuseUncopyable(header: Header, name: string): void {
  if (header.type === 'character-device' || header.type === 'block-device') {
    throw new InvalidParameterError(`archive entry "${header.name}": device nodes are not copied into containers`);
  }
  if (isWhiteout(path.posix.basename(name))) throw new InvalidParameterError(`archive entry "${header.name}": a .wh. name is a layer's whiteout, not a file`);
}

/**
 * docker's `noOverwriteDirNonDir`: an entry may not replace a directory with
 * a non-directory, nor a non-directory with a directory.
 * @param root the real path of the root or mount the entry goes to
 * @param rel the entry's path below `root`
 * @throws ConflictError in docker's words, with container paths
 */
export async function refuseTypeChange(root: string, rel: string, header: Header, containerPath: string, dest: string): Promise<void> {
  const existing = await lstatOrUndefined(await resolveInRoot(root, rel, { entry: header.name }));
  if (existing === undefined || existing.isDirectory() === (header.type === 'directory')) return;
  throw new ConflictError(existing.isDirectory()
    ? `cannot overwrite directory "${containerPath}" with non-directory "${dest}"`
    : `cannot overwrite non-directory "${containerPath}" with directory "${dest}"`);
}
