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
  const parts = spec.split(':');
  let [source, destination, mode] = ['', '', ''];
  if (parts.length === 1) [destination] = [parts[0] ?? ''];
  else if (parts.length === 2 && isMode(parts[1] ?? '') && (parts[0] ?? '').startsWith('/')) [destination, mode] = [parts[0] ?? '', parts[1] ?? ''];
  else if (parts.length === 2) [source, destination] = [parts[0] ?? '', parts[1] ?? ''];
  else if (parts.length === 3) [source, destination, mode] = [parts[0] ?? '', parts[1] ?? '', parts[2] ?? ''];
  else throw new InvalidParameterError(`invalid volume specification: '${spec}'`);
  if (destination === '') throw new InvalidParameterError(`invalid volume specification: '${spec}'`);
  if (!isMode(mode)) throw new InvalidParameterError(`invalid mode: ${mode}`);
  const bind = source.startsWith('/');
  if (!destination.startsWith('/')) {
    throw new InvalidParameterError(`invalid volume specification: '${spec}': invalid mount config for type "${bind ? 'bind' : 'volume'}": invalid mount path: '${destination}' mount path must be absolute`);
  }
  if (source !== '' && !bind && !VOLUME_NAME.test(source)) {
    throw new InvalidParameterError(`create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  const options = mode === '' ? [] : mode.split(',');
  const rw = !options.includes('ro');
  const propagation = options.find((o) => PROPAGATIONS.includes(o));
  if (bind) {
    return { Type: 'bind', Source: cleanPath(source), Destination: cleanPath(destination), Mode: mode, RW: rw, Propagation: propagation ?? 'rprivate', CreateSource: true };
  }
  return {
    Type: 'volume', Name: source, Source: '', Destination: cleanPath(destination), Driver: 'local', Mode: mode === '' ? 'z' : mode, RW: rw, Propagation: propagation ?? '',
    ...(source === '' ? { Anonymous: true } : {}), ...(options.includes('nocopy') ? { NoCopy: true } : {}),
  };
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
  const type = mount.Type ?? '';
  const target = mount.Target ?? '';
  const invalid = (why: string) => new InvalidParameterError(`invalid mount config for type "${type}": ${why}`);
  if (target === '') throw invalid('field Target must not be empty');
  if (!target.startsWith('/')) throw invalid(`invalid mount path: '${target}' mount path must be absolute`);
  const destination = cleanPath(target);
  const rw = !mount.ReadOnly;
  switch (type) {
    case 'bind': {
      const source = mount.Source ?? '';
      if (source === '') throw invalid('field Source must not be empty');
      if (!source.startsWith('/')) throw invalid(`invalid mount path: '${source}' mount path must be absolute`);
      if (mount.VolumeOptions !== undefined) throw invalid('field VolumeOptions must not be specified');
      if (mount.TmpfsOptions !== undefined) throw invalid('field TmpfsOptions must not be specified');
      return { Type: 'bind', Source: cleanPath(source), Destination: destination, Mode: '', RW: rw, Propagation: mount.BindOptions?.Propagation || 'rprivate' };
    }
    case 'volume': {
      const name = mount.Source ?? '';
      if (name !== '' && !VOLUME_NAME.test(name)) throw invalid(`invalid volume name "${name}"`);
      if (mount.BindOptions !== undefined) throw invalid('field BindOptions must not be specified');
      if (mount.TmpfsOptions !== undefined) throw invalid('field TmpfsOptions must not be specified');
      const driver = mount.VolumeOptions?.DriverConfig?.Name ?? '';
      if (!['', 'local'].includes(driver)) throw new InvalidParameterError(`--mount volume-driver=${driver} is not supported by minidockerd: volumes use the local driver`);
      if (mount.VolumeOptions?.Subpath) throw new InvalidParameterError('--mount volume-subpath is not supported by minidockerd');
      return {
        Type: 'volume', Name: name, Source: '', Destination: destination, Driver: 'local', Mode: 'z', RW: rw, Propagation: '',
        ...(name === '' ? { Anonymous: true } : {}), ...(mount.VolumeOptions?.NoCopy ? { NoCopy: true } : {}),
        ...(mount.VolumeOptions?.Labels ? { VolumeLabels: mount.VolumeOptions.Labels } : {}),
        ...(mount.VolumeOptions?.DriverConfig?.Options ? { VolumeOptions: mount.VolumeOptions.DriverConfig.Options } : {}),
      };
    }
    case 'tmpfs': {
      if (mount.Source) throw invalid('field Source must not be specified');
      if (mount.BindOptions !== undefined) throw invalid('field BindOptions must not be specified');
      if (mount.VolumeOptions !== undefined) throw invalid('field VolumeOptions must not be specified');
      const size = mount.TmpfsOptions?.SizeBytes ?? 0;
      if (size < 0) throw invalid('invalid tmpfs size');
      const options = [...(size > 0 ? [`size=${Math.ceil(size / 1024)}k`] : []), ...(mount.TmpfsOptions?.Mode ? [`mode=${(mount.TmpfsOptions.Mode & 0o7777).toString(8)}`] : [])];
      return { Type: 'tmpfs', Source: '', Destination: destination, Mode: '', RW: rw, Propagation: '', TmpfsOptions: options };
    }
    case 'npipe':
    case 'cluster':
    case 'image':
      throw new InvalidParameterError(`--mount type=${type} is not supported by minidockerd: use bind, volume or tmpfs`);
    default:
      throw new InvalidParameterError(`mount type unknown: "${type}"`);
  }
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
