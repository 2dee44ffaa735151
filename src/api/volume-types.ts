/**
 * Provided: the wire types of docker's volumes and archive endpoints and of the
 * mounts a container is created with (lesson 15), shared by the client, the CLI
 * and the daemon, as api/types.ts holds the others.
 *
 * ```
 * GET    /volumes[?filters=]                  → 200 VolumeListResponse
 * POST   /volumes/create      VolumeCreateRequest → 201 Volume
 * GET    /volumes/{name}                      → 200 Volume
 * DELETE /volumes/{name}[?force=1]            → 204
 * POST   /volumes/prune[?filters=]            → 200 VolumePruneResponse
 * HEAD   /containers/{id}/archive?path=       → 200, X-Docker-Container-Path-Stat: base64(ContainerPathStat)
 * GET    /containers/{id}/archive?path=       → 200 a tar of the path (and the same header)
 * PUT    /containers/{id}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=   a tar body → 200
 * ```
 * Field names are docker's on the wire (API 1.41: `volume.Volume`,
 * `mount.Mount`, `container.MountPoint`, `container.PathStat`); only the fields
 * the workshop reads or writes are listed, and a daemon may send more.
 */

/** A volume: `GET /volumes/{name}`, each entry of `GET /volumes`, the answer of a create. */
export interface Volume {
  /** RFC 3339 (`2026-12-03T19:00:00Z`). */
  CreatedAt?: string;
  /** `local` on a single daemon. */
  Driver: string;
  Labels: Record<string, string> | null;
  /** Where the volume's data lives on the daemon's host. */
  Mountpoint: string;
  Name: string;
  /** The driver options it was created with (`-o type=tmpfs`). */
  Options: Record<string, string> | null;
  /** `local`. */
  Scope: string;
  /** Driver-specific status, rarely set. */
  Status?: Record<string, unknown>;
  /** Only filled by `GET /system/df`: -1 where unknown. */
  UsageData?: { RefCount: number; Size: number } | null;
}

/** Body of `POST /volumes/create` (docker's `volume.CreateOptions`); the CLI leaves out what is empty. */
export interface VolumeCreateRequest {
  /** `local` unless `-d`. */
  Driver?: string;
  /** `-o key=value`: for `local`, `type`, `device` and `o` (as mount(8) takes them). */
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
  /** None: the daemon names it (64 hex digits, like an anonymous volume). */
  Name?: string;
}

/** `GET /volumes`. */
export interface VolumeListResponse {
  Volumes: Volume[] | null;
  Warnings: string[] | null;
}

/** `POST /volumes/prune`. */
export interface VolumePruneResponse {
  /** The names removed. */
  VolumesDeleted: string[] | null;
  /** Bytes freed. */
  SpaceReclaimed: number;
}

/** How a bind mount's mount events propagate (mount(8) `--make-*`). */
export type Propagation = 'rprivate' | 'private' | 'rshared' | 'shared' | 'rslave' | 'slave';

/** The propagation modes, in docker's order (`mount.Propagations`). */
export const PROPAGATIONS: readonly Propagation[] = ['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave'];

/** One `HostConfig.Mounts` entry (`--mount`), docker's `mount.Mount`. Empty fields are left out, as docker sends them. */
export interface MountSpec {
  /** `bind`, `volume` or `tmpfs` (docker also knows `image`, `npipe`, `cluster`). */
  Type: string;
  /** A host path (bind), a volume name (volume; none: an anonymous volume). */
  Source?: string;
  /** Where it appears in the container: an absolute path. */
  Target?: string;
  ReadOnly?: boolean;
  /** macOS only: `consistent`, `cached`, `delegated`. */
  Consistency?: string;
  BindOptions?: {
    Propagation?: Propagation | string;
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    ReadOnlyForceRecursive?: boolean;
  };
  VolumeOptions?: {
    /** Do not copy the image's files at the target into a new, empty volume. */
    NoCopy?: boolean;
    /** Labels for a volume this mount creates. */
    Labels?: Record<string, string>;
    Subpath?: string;
    /** The driver (and its options) for a volume this mount creates; docker always sends the object, `{}` when empty. */
    DriverConfig?: { Name?: string; Options?: Record<string, string> };
  };
  ImageOptions?: { Subpath?: string };
  TmpfsOptions?: {
    /** The size limit in bytes; none: half the host's memory, as the kernel decides. */
    SizeBytes?: number;
    /** Permission bits as a number (`tmpfs-mode=1770` → 1016). */
    Mode?: number;
  };
}

/** One entry of a container's inspect `Mounts`: what is mounted where, after the daemon resolved it. */
export interface MountPoint {
  /** `bind`, `volume` or `tmpfs`. */
  Type: string;
  /** The volume's name (volumes only). */
  Name?: string;
  /** The host path (a bind's source, a volume's mountpoint); '' for tmpfs. */
  Source: string;
  Destination: string;
  /** The volume driver (volumes only). */
  Driver?: string;
  /** The options as given (`ro`, `z`, `nocopy`, …), '' when none. */
  Mode: string;
  RW: boolean;
  /** `rprivate` for binds by default, '' for volumes and tmpfs. */
  Propagation: string;
}

/**
 * What `HEAD /containers/{id}/archive` says about a path, as the
 * `X-Docker-Container-Path-Stat` header carries it (base64 of this JSON).
 * `mode` is Go's `os.FileMode`: the permission bits plus the type bits below,
 * not the `st_mode` of stat(2).
 */
export interface ContainerPathStat {
  /** The base name. */
  name: string;
  size: number;
  /** Go's os.FileMode: e.g. a directory 0o755 is `GO_MODE.dir + 0o755` = 2147484141. */
  mode: number;
  /** RFC 3339 with nanoseconds. */
  mtime: string;
  /** The symlink's target when the path is one (not followed), else ''. */
  linkTarget: string;
}

/** The type bits of Go's `os.FileMode` (io/fs), as `ContainerPathStat.mode` carries them. */
export const GO_MODE = {
  dir: 2 ** 31,
  append: 2 ** 30,
  exclusive: 2 ** 29,
  temporary: 2 ** 28,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

/** Whether a Go `os.FileMode` has the given type bit (bit operations in JavaScript stop at 31 bits, so this divides). */
export function hasGoMode(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}
