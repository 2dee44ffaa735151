/**
 * The daemon's container records: one JSON file per container, written
 * atomically, plus an in-memory index to find a container by id, name or
 * unique id prefix, as docker does.
 *
 * ```
 * <data root>/containers/
 * └── <id>/                      64 hex digits
 *     ├── container.json         the record below (atomic writes: temp file + rename)
 *     ├── container-json.log     stdout/stderr in docker's json-file format
 *     ├── bundle/config.json     the OCI runtime spec
 *     ├── bundle/rootfs/         the container's root: an overlay mounted while it runs (root) or a copy
 *     ├── upper/ work/           the overlay's writable layer (root only)
 *     ├── stdout stderr [stdin]  named pipes between the shim and the daemon
 *     └── pid exit               written by the shim: the container's pid, its exit status
 * <data root>/rootfs/<image id hex>/   each image unpacked once, the containers' shared lower layer
 * <data root>/runtime/<runtime>/       the runtime's state (runc --root)
 * ```
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, InvalidParameterError, NotFoundError } from '../../errdefs.js';
import { writeFileAtomic } from '../../atomic-file.js';
import type { ConsoleSize } from '../../runtime/spec.js';
import type { EndpointRecord } from '../network/network-attachment.js';
import type { MountPointRecord } from '../volumes/mount-points.js';
import type { ContainerConfig, HostConfigRecord } from './create-options.js';
import type { Health } from './health.js';

export type { ContainerConfig } from './create-options.js';

/** The time docker shows for "never": Go's zero time. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** A container's life: created → running (⇄ paused) → exited (→ removing), as docker names the states. */
export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited' | 'removing';

/** The mutable part of a record: what `State` in inspect shows. */
export interface ContainerStateRecord {
  Status: ContainerStatus;
  Running: boolean;
  OOMKilled: boolean;
  /** The container's init process on the host; 0 when not running. */
  Pid: number;
  ExitCode: number;
  /** Why the last start failed ('' when it did not). */
  Error: string;
  /** RFC 3339 with nanoseconds; ZERO_TIME when never started. */
  StartedAt: string;
  /** RFC 3339 with nanoseconds; ZERO_TIME when it never exited. */
  FinishedAt: string;
  /** With a health check (health.ts): its status, failing streak and last probes. */
  Health?: Health;
}

/** Everything the daemon keeps about one container (`container.json`). */
export interface ContainerRecord {
  Id: string;
  /** With the leading slash: `/web`. */
  Name: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  /** The process's executable and arguments (after Entrypoint/Cmd resolution). */
  Path: string;
  Args: string[];
  /** The image ID: `sha256:…`. */
  Image: string;
  Config: ContainerConfig;
  /** Docker's HostConfig with its defaults (create-options.ts); records written before a field existed lack it. */
  HostConfig: HostConfigRecord;
  State: ContainerStateRecord;
  /** `overlay2` for an overlay rootfs, `vfs` for a copy. */
  Driver: 'overlay2' | 'vfs';
  RestartCount: number;
  /** Lesson 15: its binds, volumes and tmpfs mounts (inspect's `Mounts`); absent in records made before mounts. */
  MountPoints?: MountPointRecord[];
  /** Lesson 14: its network, and the ports it publishes while it runs. */
  NetworkSettings?: {
    /**
     * The ports published while it runs, host ports as bound (a kernel-chosen
     * one too), as inspect shows them: `{"80/tcp": [{HostIp, HostPort}]}`.
     * Absent when it is not running or publishes nothing.
     */
    Ports?: Record<string, Array<{ HostIp: string; HostPort: string }>>;
    /** The network it is on, by name (one at most: see network-attachment.ts); absent in records made before networks. */
    Networks?: Record<string, EndpointRecord>;
  };
}

/** A new random container id: 64 lower-case hex digits. */
export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * A terminal size from docker's `[rows, columns]` (`HostConfig.ConsoleSize`),
 * or undefined for none (missing or `[0, 0]`).
 * @throws InvalidParameterError when it is not two non-negative integers.
 */
export function consoleSizeOf(pair: [number, number] | undefined): ConsoleSize | undefined {
  if (pair === undefined || pair === null) return undefined;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff)) {
    throw new InvalidParameterError(`invalid ConsoleSize ${JSON.stringify(pair)}: want [rows, columns]`);
  }
  const [height, width] = pair;
  return height > 0 && width > 0 ? { height, width } : undefined;
}

/** Now, as RFC 3339 with nanoseconds (docker's format; the last six digits are zeros). */
export function rfc3339Nano(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** The records on disk and their index. */
export class ContainerStore {
  /** `<data root>/containers`. */
  readonly root: string;
  readonly #records = new Map<string, ContainerRecord>();

  constructor(dataRoot: string) {
    this.root = path.join(dataRoot, 'containers');
  }

  /** The directory of container `id`. */
  dir(id: string): string {
    return path.join(this.root, id);
  }

  /**
   * Reads every `container.json` under the root into the index.
   * @returns the ids of directories that have no record (a create that never finished).
   */
  async load(): Promise<string[]> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o700 });
    const orphans: string[] = [];
    for (const id of await fs.readdir(this.root)) {
      if (!/^[0-9a-f]{64}$/.test(id)) continue;
      try {
        const record = JSON.parse(await fs.readFile(path.join(this.dir(id), 'container.json'), 'utf8')) as ContainerRecord;
        this.#records.set(record.Id, record);
      } catch {
        orphans.push(id);
      }
    }
    return orphans;
  }

  /** Every container, newest first. */
  all(): ContainerRecord[] {
    return [...this.#records.values()].sort((a, b) => b.Created.localeCompare(a.Created));
  }

  /**
   * Adds a new record and writes it. The name must be free.
   * @throws ConflictError docker's "name is already in use" message.
   */
  async add(record: ContainerRecord): Promise<void> {
    this.checkName(record.Name);
    this.#records.set(record.Id, record);
    await this.save(record);
  }

  /**
   * Checks that a name (with or without its `/`) belongs to no container yet.
   * @throws ConflictError `Conflict. The container name "/x" is already in use by container "<id>". …`
   */
  checkName(name: string): void {
    const wanted = name.startsWith('/') ? name : `/${name}`;
    const owner = [...this.#records.values()].find((r) => r.Name === wanted);
    if (owner !== undefined) {
      throw new ConflictError(
        `Conflict. The container name "${wanted}" is already in use by container "${owner.Id}". ` +
          'You have to remove (or rename) that container to be able to reuse that name.',
      );
    }
  }

  /** Writes `record` to its `container.json` (atomically; its directory must exist). */
  async save(record: ContainerRecord): Promise<void> {
    await writeFileAtomic(path.join(this.dir(record.Id), 'container.json'), `${JSON.stringify(record, null, 2)}\n`, 0o600);
  }

  /** Forgets container `id` and deletes its directory with everything left in it. */
  async delete(id: string): Promise<void> {
    this.#records.delete(id);
    await fs.rm(this.dir(id), { recursive: true, force: true });
  }

  /**
   * Finds a container the way docker does: by full id, then by name (with or
   * without the leading `/`), then by unique id prefix.
   * @throws NotFoundError `No such container: <ref>`; InvalidParameterError
   *   `multiple IDs found with provided prefix: <ref>` for an ambiguous prefix.
   */
  resolve(ref: string): ContainerRecord {
    const exact = this.#records.get(ref);
    if (exact !== undefined) return exact;
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    const named = [...this.#records.values()].find((r) => r.Name === name);
    if (named !== undefined) return named;
    if (/^[0-9a-f]+$/.test(ref)) {
      const matches = [...this.#records.values()].filter((r) => r.Id.startsWith(ref));
      if (matches.length > 1) throw new InvalidParameterError(`multiple IDs found with provided prefix: ${ref}`);
      if (matches[0] !== undefined) return matches[0];
    }
    throw new NotFoundError(`No such container: ${ref}`);
  }
}
