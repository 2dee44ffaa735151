/**
 * Provided: the role interfaces between the daemon's layers. A route group
 * receives the small backend it needs, never a service it builds itself; the
 * one composition root (compose.ts) hands the services in. So the routes say
 * exactly what they use, and a check or a later lesson can give a route
 * group a different backend.
 *
 * ```
 * routes/images.ts      ─▶ ImagesBackend      ◀── images/image-service.ts
 * routes/containers.ts  ─▶ ContainersBackend  ◀── containers/container-service.ts
 * routes/container-processes.ts ─▶ ProcessesBackend ◀── containers/container-processes.ts
 * containers/…          ─▶ ImageSource        ◀── images/image-service.ts
 * routes/exec.ts        ─▶ ExecsBackend       ◀── exec/exec-service.ts
 * exec/exec-service.ts  ─▶ ExecTarget         ◀── containers/container-service.ts
 * containers/container-processes.ts ─▶ ProcessesTarget ◀── the containers service and its store (compose.ts)
 * routes/networks.ts    ─▶ NetworksBackend    ◀── network/network-service.ts
 * containers/…          ─▶ NetworkSource      ◀── network/network-service.ts
 * network/…             ─▶ NetworkMembers     ◀── containers/container-store.ts
 * routes/volumes.ts     ─▶ VolumesBackend     ◀── volumes/volume-service.ts
 * containers/…          ─▶ VolumeSource       ◀── volumes/volume-service.ts
 * volumes/…             ─▶ VolumeUsers        ◀── containers/container-store.ts
 * routes/archive.ts     ─▶ ArchiveBackend     ◀── containers/archive-service.ts
 * containers/archive-service.ts ─▶ ArchiveTarget ◀── the containers service and its store (compose.ts)
 * ```
 */
import type { ContainerStatsResponse, ContainerTopResponse } from '../api/processes.js';
import type { ExecInspect } from '../api/exec-types.js';
import type { ContainerSummary, ContainerWaitResponse, ImageDeleteResponseItem, ImageInspect, ImageSummary } from '../api/types.js';
import type { BlobReader } from '../image/blob-store.js';
import type { Descriptor } from '../image/types.js';
import type { AuthConfig } from '../registry-client/auth.js';
import type { ProgressListener } from '../registry-client/progress.js';
import type { Runc } from '../runtime/runc.js';
import type { Readable } from 'node:stream';
import type { ContainerPathStat } from '../api/volume-types.js';
import type { ConsoleSize } from '../runtime/spec.js';
import type { ContainerRecord } from './containers/container-store.js';
import type { ContainerFilters } from './containers/container-views.js';
import type { DaemonFacts } from './containers/create-options.js';
import type { ContainerCreateBody, Signal, WaitCondition } from './routes/container-requests.js';
import type { PullOutcome, ResolvedImage } from './images/image-records.js';
import type { LiveContainer } from './containers/live-container.js';
import type { ExecSession, ExecStartOptions } from './exec/exec-records.js';
import type { ExecCreateBody } from './routes/exec-requests.js';
import type { NetworkRecord } from './network/network-store.js';
import type { NetworkFilters } from './network/network-views.js';
import type { NetworkConnectBody, NetworkCreateBody, NetworkDisconnectBody } from './routes/network-requests.js';
import type { VolumeCreateBody } from './routes/volume-requests.js';
import type { MountPointRecord } from './volumes/mount-points.js';
import type { VolumeFilters } from './volumes/volume-views.js';

/** What `/images/*` needs: pull, list, inspect, tag, remove, push. */
export interface ImagesBackend {
  /** Pulls `fromImage[:tag]`, reporting progress. @throws before any progress when the image cannot be found. */
  pull(fromImage: string, tag: string | undefined, auth: AuthConfig | undefined, onProgress?: ProgressListener): Promise<PullOutcome>;
  /** Every local image, one entry per image ID. */
  list(): Promise<ImageSummary[]>;
  /** @throws NotFoundError `No such image: <name>`. */
  inspect(name: string): Promise<ImageInspect>;
  /** @throws NotFoundError for an unknown source; InvalidParameterError for a bad target. */
  tag(source: string, repo: string, tag: string | undefined): Promise<void>;
  /** @throws NotFoundError; ConflictError when a container uses it (without force). */
  remove(name: string, force?: boolean): Promise<ImageDeleteResponseItem[]>;
  /** Pushes a local image to its registry, reporting progress. @throws NotFoundError for an unknown image. */
  push(name: string, tag: string | undefined, auth: AuthConfig | undefined, onProgress?: ProgressListener): Promise<{ tag: string; descriptor: Descriptor }>;
}

/** What the containers service needs of images: find one by name, and read its layers. */
export interface ImageSource {
  /** @throws NotFoundError when no local image has that name or ID. */
  resolve(name: string): Promise<ResolvedImage>;
  /** The blobs the image's layers are read from. */
  readonly blobs: BlobReader;
}

/** What `/containers/*` needs: the container lifecycle, through the one state machine (container-state.ts). */
export interface ContainersBackend {
  /** Creates a container from a checked request. @returns its id and docker's warnings. */
  create(body: ContainerCreateBody, name: string | undefined): Promise<{ Id: string; Warnings: string[] }>;
  /** Finds a container by id, name or unique id prefix. @throws NotFoundError `No such container: <ref>`. */
  resolve(ref: string): ContainerRecord;
  list(options: { all?: boolean; limit?: number; filters?: ContainerFilters }): ContainerSummary[];
  inspect(ref: string): Record<string, unknown>;
  /** Resolves once the process runs. @throws NotModifiedError when it runs already. */
  start(ref: string): Promise<void>;
  /** Resolves when `condition` is met; aborting `signal` drops the waiter. */
  wait(ref: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse>;
  /** The StopSignal (SIGTERM), then SIGKILL after `timeout` seconds (undefined: Config.StopTimeout, else 10; -1 waits forever). @throws NotModifiedError when not running. */
  stop(ref: string, timeout?: number): Promise<void>;
  /** Sends a signal; for SIGKILL, resolves once it exited. @throws ConflictError when not running. */
  kill(ref: string, signal: Signal): Promise<void>;
  /** Stops it when it runs, then starts it. */
  restart(ref: string, timeout?: number): Promise<void>;
  /** @throws ConflictError when not running; InvalidParameterError without a Tty. */
  resize(ref: string, size: ConsoleSize): Promise<void>;
  /** With `volumes`, its anonymous volumes go too (`rm -v`). @throws ConflictError for a running container without `force`. */
  remove(ref: string, force?: boolean, volumes?: boolean): Promise<void>;
  /** Runs `fn` while no archive operation holds the container's root filesystem (start and restart go through it). */
  exclusive<T>(ref: string, fn: () => Promise<T>): Promise<T>;
  /** The live side of a container: its output, start and exit events (for logs and attach). */
  live(id: string): LiveContainer;
  /** Where the container's json-file log lives. */
  logPath(id: string): string;
}

/**
 * What lesson 13's pause, unpause, top and stats need of the containers
 * (containers/container-processes.ts): find a record, save its changed
 * state, the runtime, and where a container's files are.
 */
export interface ProcessesTarget {
  /** Finds a container by id, name or unique id prefix. @throws NotFoundError `No such container: <ref>`. */
  resolve(ref: string): ContainerRecord;
  /** Writes a changed record (its State) to `container.json`. */
  save(record: ContainerRecord): Promise<void>;
  /** The runtime the containers run in: `pause`, `resume` and `ps` on a container's id. */
  readonly runc: Runc;
  /** `rootless`: the containers have no cgroup (nothing to freeze or to read stats from). */
  readonly facts: DaemonFacts;
  /** The container's directory: `bundle/config.json` names its cgroup (`linux.cgroupsPath`). */
  dir(id: string): string;
}

/** What `/containers/{id}/pause|unpause|top|stats` need. Each throws NotFoundError for an unknown container. */
export interface ProcessesBackend {
  /** Freezes every process of a running container. @throws ConflictError when not running or already paused; SystemError without a cgroup (rootless). */
  pause(ref: string): Promise<void>;
  /** Thaws a paused container. @throws ConflictError when it is not paused. */
  unpause(ref: string): Promise<void>;
  /** The container's processes as `ps <psArgs>` describes them. @throws ConflictError when not running; SystemError when ps fails. */
  top(ref: string, psArgs?: string): Promise<ContainerTopResponse>;
  /** One stats sample; `previous` (the last sample) fills `preread` and `precpu_stats`. Zeros when not running. */
  stats(ref: string, previous?: ContainerStatsResponse): Promise<ContainerStatsResponse>;
}

/** What `/containers/{id}/exec` and `/exec/*` need: docker's exec instances (lesson 13). */
export interface ExecsBackend {
  /**
   * Makes an exec instance in a running container; nothing runs yet.
   * @returns its id. @throws NotFoundError `No such container: <ref>`; ConflictError when the
   *   container is not running (or paused); InvalidParameterError for an unknown user or group.
   */
  create(containerRef: string, body: ExecCreateBody): Promise<{ Id: string }>;
  /**
   * Starts exec `id`, once; resolves when its process runs, or could not (the session's `error`).
   * @throws NotFoundError `No such exec instance: <id>`; ConflictError when it runs or ran
   *   already, or its container no longer runs.
   */
  start(id: string, options: ExecStartOptions): Promise<ExecSession>;
  /** `GET /exec/{id}/json`. @throws NotFoundError `No such exec instance: <id>`. */
  inspect(id: string): ExecInspect;
  /** Resizes a running Tty exec's terminal. @throws NotFoundError; ConflictError when not running; InvalidParameterError without a Tty. */
  resize(id: string, size: ConsoleSize): Promise<void>;
}

/**
 * What the exec service needs of the containers (the ContainerService has it
 * all): find one, its directory (bundle, rootfs, exec dirs), the runtime it
 * runs in, and its live events (`removed` takes its exec records along).
 */
export interface ExecTarget {
  /** Finds a container by id, name or unique id prefix. @throws NotFoundError `No such container: <ref>`. */
  resolve(ref: string): ContainerRecord;
  /** The containers' records: `dir(id)` is a container's directory, `<data root>/containers/<id>`. */
  readonly store: { dir(id: string): string };
  /** The OCI runtime the containers run in: `exec` runs under the same `--root`. */
  readonly runc: Runc;
  /** A container's live side: `removed` is emitted once it is gone. */
  live(id: string): LiveContainer;
}

/** What `/networks/*` needs (lesson 14). Each throws NotFoundError `network <ref> not found` for an unknown network. */
export interface NetworksBackend {
  /** Every network that passes the filters. @throws InvalidParameterError for a filter value docker refuses. */
  list(filters?: NetworkFilters): Record<string, unknown>[];
  /** One network with the running containers on it. */
  inspect(ref: string): Record<string, unknown>;
  /** @throws ConflictError for a name in use; InvalidParameterError for what a loopback-only namespace cannot give. */
  create(body: NetworkCreateBody): Promise<{ Id: string; Warning: string }>;
  /** @throws ConflictError for a built-in network, or one a running container is on. */
  remove(ref: string): Promise<void>;
  /** Removes the user-defined networks no running container is on. @returns their names. */
  prune(filters?: NetworkFilters): Promise<string[]>;
  /** Puts a stopped container on the network. @throws ConflictError when it runs or is on it already. */
  connect(ref: string, body: NetworkConnectBody): Promise<void>;
  /** Takes a stopped container off the network. @throws ConflictError when it runs or is not on it. */
  disconnect(ref: string, body: NetworkDisconnectBody): Promise<void>;
}

/** What the containers need of the networks: find one, the namespace to join, the names on it. */
export interface NetworkSource {
  /** @throws NotFoundError `network <ref> not found`. */
  resolve(ref: string): NetworkRecord;
  /** The namespaces a container joins to be on user-defined network `id` (its holder started again when it is gone). */
  namespaceOf(id: string): Promise<{ net: string; user?: string }>;
  /** The names of the containers on network `id` but `except`, for /etc/hosts. */
  peersOf(id: string, except: string): string[][];
  /** The running containers on network `id`: their /etc/hosts is written again when one joins. */
  runningOn(id: string): ContainerRecord[];
}

/** What the networks need of the containers: who is on which network, and moving a stopped one. */
export interface NetworkMembers {
  /** Every container record. */
  all(): ContainerRecord[];
  /** @throws NotFoundError `No such container: <ref>`. */
  resolve(ref: string): ContainerRecord;
  /** Writes a changed record. */
  save(record: ContainerRecord): Promise<void>;
}

/** What `/volumes/*` needs (lesson 15). */
export interface VolumesBackend {
  /** Every volume that passes the filters. @throws InvalidParameterError for a filter value docker refuses. */
  list(filters?: VolumeFilters): { Volumes: Record<string, unknown>[]; Warnings: null };
  /** @throws NotFoundError `get <name>: no such volume`. */
  inspect(name: string): Record<string, unknown>;
  /** A volume, or the one of that name already there. @throws InvalidParameterError for a bad name or driver option. */
  create(body: VolumeCreateBody): Promise<Record<string, unknown>>;
  /** @throws NotFoundError (not with force); ConflictError while a container uses it. */
  remove(name: string, force?: boolean): Promise<void>;
  /** Removes the unused anonymous volumes (every unused one with `all`). */
  prune(filters?: VolumeFilters): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }>;
}

/** What the containers need of the volumes: a create's volumes made, an empty one filled at start, `rm -v`. */
export interface VolumeSource {
  /** Makes the volumes a create's mounts name (named ones when missing, anonymous ones); fills in their Source. */
  attach(points: readonly MountPointRecord[]): Promise<MountPointRecord[]>;
  /** Fills an empty volume from the image's tree (`imageRoot`) at the mount's destination, unless nocopy. */
  populate(point: MountPointRecord, imageRoot: string): Promise<void>;
  /** Removes a removed container's anonymous volumes no other container uses. */
  removeAnonymous(record: ContainerRecord): Promise<void>;
}

/** What the volumes need of the containers: who mounts which volume. */
export interface VolumeUsers {
  /** Every container record. */
  all(): ContainerRecord[];
}

/** What the archive routes need (lesson 15). Each throws NotFoundError `No such container: <ref>` for an unknown container. */
export interface ArchiveBackend {
  /** The stat of `path`. @throws NotFoundError `Could not find the file <path> in container <ref>`. */
  stat(ref: string, path: string): Promise<ContainerPathStat>;
  /** The stat and the tar of `path`, streamed; the container is held until the tar is read or destroyed. @throws NotFoundError as stat. */
  get(ref: string, path: string): Promise<{ stat: ContainerPathStat; tar: Readable }>;
  /**
   * Extracts the tar in `body` into the directory `path`, as it arrives.
   * @throws NotFoundError as stat; InvalidParameterError `extraction point is not a directory`,
   *   `container rootfs is marked read-only`, `mounted volume is marked read-only`, or a refused entry;
   *   ConflictError with noOverwriteDirNonDir; RequestTooLargeError past the size cap.
   */
  put(ref: string, path: string, body: Readable, options: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void>;
}

/** What the archive service needs of the containers: find one, and where its files are. */
export interface ArchiveTarget {
  /** @throws NotFoundError `No such container: <ref>`. */
  resolve(ref: string): ContainerRecord;
  /** The container's directory, `<data root>/containers/<id>`. */
  dir(id: string): string;
  /** The data root: an overlay's lower layer is `<data root>/rootfs/<image id>`. */
  readonly dataRoot: string;
}
