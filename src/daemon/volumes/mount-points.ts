/**
 * What a container mounts, decided at create from `HostConfig.Binds` (`-v`),
 * `HostConfig.Mounts` (`--mount`), `HostConfig.Tmpfs` (`--tmpfs`) and the
 * image's `Config.Volumes`, in docker's words when something is wrong. The
 * record keeps the result (`MountPoints`); inspect shows it as `Mounts`.
 *
 * ```
 * -v /srv/www:/usr/share/www:ro      bind    Source /srv/www   RW false  (a missing /srv/www is made at start)
 * -v data:/var/lib/db                volume  Name data         (made at create if missing; filled from the image at first use)
 * -v /cache                          volume  anonymous: a new 64-hex name, removed with `rm -v`
 * --mount type=bind,src=/x,dst=/y    bind    /x must exist
 * --mount type=tmpfs,dst=/t,tmpfs-size=1m   tmpfs   size=1024k
 * --tmpfs /run:size=64m              tmpfs   (not listed in inspect's Mounts, as docker)
 * image VOLUME /data                 volume  anonymous, unless something else is mounted at /data
 * ```
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError } from '../../errdefs.js';
import { NotImplementedError } from '../../errors.js';
import type { HostConfigBody, MountSpec } from '../routes/container-requests.js';
import { VOLUME_NAME } from './volume-store.js';

/** One mount of a container, as its record keeps it: docker's MountPoint fields, then ours. */
export interface MountPointRecord {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** A volume's name ('' until an anonymous volume is made). */
  Name?: string;
  /** The host path: a bind's as given, a volume's data directory, '' for tmpfs. */
  Source: string;
  Destination: string;
  /** `local` for a volume. */
  Driver?: string;
  /** The mode text docker shows: a bind's options as given (`ro`), `z` for a volume from -v. */
  Mode: string;
  RW: boolean;
  /** `rprivate` for a bind (or the propagation asked for), '' otherwise. */
  Propagation: string;
  /** A volume made for this container only (`-v /path`, the image's VOLUME): `rm -v` removes it. */
  Anonymous?: boolean;
  /** `nocopy` / `volume-nocopy`: an empty volume is not filled from the image. */
  NoCopy?: boolean;
  /** Labels and driver options for a named volume made at create (`--mount type=volume,volume-opt=…`). */
  VolumeLabels?: Record<string, string>;
  VolumeOptions?: Record<string, string>;
  /** `-v /host:/ctr`: a missing host directory is made at start (not with `--mount`, which refuses it at create). */
  CreateSource?: boolean;
  /** tmpfs mount options: `size=…k`, `mode=…`. */
  TmpfsOptions?: string[];
  /** From `HostConfig.Tmpfs`: docker does not list these in inspect's Mounts. */
  FromTmpfsField?: boolean;
}

/** A path as Go's filepath.Clean leaves it: normalised, no trailing slash (but for `/` itself). */
export function cleanPath(p: string): string {
  return path.posix.normalize(p).replace(/(.)\/+$/, '$1');
}

/** The mount modes `-v` takes after the second colon. */
const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/**
 * Parses one `-v` / `HostConfig.Binds` entry, docker's way on Linux:
 * `dst`, `dst:mode`, `src:dst`, `src:dst:mode`. A source that is an
 * absolute path is a bind; any other is a volume name. The mode is a comma
 * list of `ro`/`rw`, `z`/`Z`, `nocopy` and one propagation.
 * @throws InvalidParameterError `invalid volume specification: '<spec>'`, `invalid mode: <mode>`,
 *   a relative destination, or a source that is neither an absolute path nor a volume name.
 */
export function parseBind(spec: string): MountPointRecord {
  // TODO(lesson-15): Split the -v text into source, destination and mode, docker's way, and return its mount point.
  // HINT: one part: an anonymous volume at it; two: `src:dst`, or `dst:mode` when the second is a mode (isMode) and the first absolute; three: `src:dst:mode`.
  // HINT: a source starting with / is a bind (Propagation rprivate unless the mode names one, CreateSource true); any other a volume
  // HINT: name checked with VOLUME_NAME ('' is anonymous: Anonymous true), Driver local, Mode 'z' when none given; RW unless the mode has ro.
  // HINT: docker's errors are in the TSDoc above; cleanPath both paths.
  void spec, PROPAGATIONS, VOLUME_NAME;
  throw new NotImplementedError('lesson-15: parseBind');
}

function isMode(mode: string): boolean {
  return mode.split(',').every((o) => o === '' || ['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATIONS].includes(o));
}

/**
 * One `HostConfig.Mounts` entry, docker's checks: a bind's source must
 * exist (checked by the caller, which can stat), a volume's name must be
 * valid (empty: anonymous), tmpfs has no source.
 * @throws InvalidParameterError in docker's words (`invalid mount config for type "bind": …`).
 */
export function mountPointOf(mount: MountSpec): MountPointRecord {
  // TODO(lesson-15): Check one --mount entry as docker does and return its mount point (bind, volume or tmpfs).
  // HINT: Target required and absolute; a bind needs an absolute Source; a volume's Source is a name or '' (anonymous); tmpfs has none.
  // HINT: options of another type are refused (`field VolumeOptions must not be specified`); ReadOnly → RW false.
  // HINT: tmpfs: TmpfsOptions.SizeBytes → `size=<ceil(bytes/1024)>k`, Mode → `mode=<octal>`; an unknown Type: `mount type unknown: "<type>"`.
  void mount;
  throw new NotImplementedError('lesson-15: mountPointOf');
}

/** `HostConfig.Tmpfs` options docker accepts (mount(8)'s tmpfs options and the flags). */
const TMPFS_OPTIONS = /^(size=\d+[kmgKMG%]?|mode=[0-7]{3,4}|uid=\d+|gid=\d+|nr_inodes=\d+[kmgKMG]?|nr_blocks=\d+[kmgKMG]?|ro|rw|exec|noexec|suid|nosuid|dev|nodev|atime|noatime|relatime|strictatime|nodiratime)$/;

/**
 * The container's mounts: Binds, then Mounts, then Tmpfs, then the image's
 * VOLUMEs at destinations nothing else took, as anonymous volumes.
 * @throws InvalidParameterError `Duplicate mount point: <dst>` when two of the
 *   create's own mounts name one destination; docker's words for a bad entry.
 */
export function mountPointsOf(host: HostConfigBody | undefined, imageVolumes: Record<string, unknown> | null | undefined): MountPointRecord[] {
  const points: MountPointRecord[] = [];
  const add = (point: MountPointRecord) => {
    if (points.some((p) => p.Destination === point.Destination)) throw new InvalidParameterError(`Duplicate mount point: ${point.Destination}`);
    points.push(point);
  };
  for (const spec of host?.Binds ?? []) add(parseBind(spec));
  for (const mount of host?.Mounts ?? []) add(mountPointOf(mount));
  for (const [target, text] of Object.entries(host?.Tmpfs ?? {})) {
    if (!target.startsWith('/')) throw new InvalidParameterError(`invalid mount config for type "tmpfs": invalid mount path: '${target}' mount path must be absolute`);
    const options = text === '' ? [] : text.split(',');
    const bad = options.find((o) => !TMPFS_OPTIONS.test(o));
    if (bad !== undefined) throw new InvalidParameterError(`invalid tmpfs option ["${bad}"]`);
    add({ Type: 'tmpfs', Source: '', Destination: cleanPath(target), Mode: text, RW: !options.includes('ro'), Propagation: '', TmpfsOptions: options.filter((o) => o !== 'ro' && o !== 'rw'), FromTmpfsField: true });
  }
  for (const target of Object.keys(imageVolumes ?? {})) {
    const destination = cleanPath(target);
    if (points.some((p) => p.Destination === destination)) continue;
    points.push({ Type: 'volume', Name: '', Source: '', Destination: destination, Driver: 'local', Mode: '', RW: true, Propagation: '', Anonymous: true });
  }
  return points;
}

/**
 * `--mount type=bind` refuses a host path that does not exist, as docker does
 * at create (`-v` makes it at start instead).
 * @throws InvalidParameterError `invalid mount config for type "bind": bind source path does not exist: <path>`.
 */
export async function checkBindSources(points: readonly MountPointRecord[]): Promise<void> {
  for (const point of points) {
    if (point.Type !== 'bind' || point.CreateSource) continue;
    if (!(await fs.stat(point.Source).then(() => true, () => false))) {
      throw new InvalidParameterError(`invalid mount config for type "bind": bind source path does not exist: ${point.Source}`);
    }
  }
}
