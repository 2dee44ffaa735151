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
 * containers/…          ─▶ ImageSource        ◀── images/image-service.ts
 * ```
 */
import type { ContainerSummary, ContainerWaitResponse, ImageDeleteResponseItem, ImageInspect, ImageSummary } from '../api/types.js';
import type { BlobReader } from '../image/blob-store.js';
import type { Descriptor } from '../image/types.js';
import type { AuthConfig } from '../registry-client/auth.js';
import type { ProgressListener } from '../registry-client/progress.js';
import type { ConsoleSize } from '../runtime/spec.js';
import type { ContainerRecord } from './containers/container-store.js';
import type { ContainerFilters } from './containers/container-views.js';
import type { ContainerCreateBody, Signal, WaitCondition } from './routes/container-requests.js';
import type { PullOutcome, ResolvedImage } from './images/image-records.js';
import type { LiveContainer } from './containers/live-container.js';

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
  /** @throws ConflictError for a running container without `force`. */
  remove(ref: string, force?: boolean): Promise<void>;
  /** The live side of a container: its output, start and exit events (for logs and attach). */
  live(id: string): LiveContainer;
  /** Where the container's json-file log lives. */
  logPath(id: string): string;
}
