/**
 * The daemon's volumes: the `local` driver's directories under the data
 * root (volume-store.ts), the containers that use them, and what docker
 * does with them — made at create when a container names one, filled from
 * the image the first time an empty one is mounted, kept when containers go
 * (but `rm -v` takes anonymous ones along), removed only on request.
 *
 * ```
 * POST /volumes/create   ─▶ create: the volume, or the one of that name already there (docker's create is idempotent)
 * container create       ─▶ attach: named volumes made if missing, anonymous ones made, Source filled in
 * container start        ─▶ populate: an empty volume gets the image's files at its destination (unless nocopy)
 * DELETE /volumes/{name} ─▶ remove: refused while any container (running or not) uses it
 * POST /volumes/prune    ─▶ prune: the unused anonymous volumes (all unused ones with all=true)
 * ```
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConflictError, InvalidParameterError, NotFoundError } from '../../errdefs.js';
import type { VolumesBackend, VolumeUsers } from '../backends.js';
import type { ContainerRecord } from '../containers/container-store.js';
import type { VolumeCreateBody } from '../routes/volume-requests.js';
import type { MountPointRecord } from './mount-points.js';
import { ANONYMOUS_LABEL, VOLUME_NAME, anonymousVolumeName } from './volume-store.js';
import type { VolumeRecord, VolumeStore } from './volume-store.js';
import { bindDevice, matchesVolumeFilters, toVolumeView, usersOf } from './volume-views.js';
import type { VolumeFilters } from './volume-views.js';

const exec = promisify(execFile);

/** What the volumes service is built from: the composition root makes each once. */
export interface VolumeServiceOptions {
  store: VolumeStore;
  /** The containers' records: who uses which volume. */
  containers: VolumeUsers;
}

/** The volumes backend behind `/volumes/*`, and what container create, start and remove ask of volumes. */
export class VolumeService implements VolumesBackend {
  readonly store: VolumeStore;
  readonly #containers: VolumeUsers;

  constructor(options: VolumeServiceOptions) {
    this.store = options.store;
    this.#containers = options.containers;
  }

  /** Loads the records. */
  async restore(): Promise<void> {
    await this.store.load();
  }

  /** `GET /volumes`: `{Volumes, Warnings}`. */
  list(filters: VolumeFilters = {}): { Volumes: Record<string, unknown>[]; Warnings: null } {
    const containers = this.#containers.all();
    const volumes = this.store.all().filter((v) => matchesVolumeFilters(v, filters, usersOf(v.Name, containers).length));
    return { Volumes: volumes.map(toVolumeView), Warnings: null };
  }

  /** `GET /volumes/{name}`. @throws NotFoundError `get <name>: no such volume`. */
  inspect(name: string): Record<string, unknown> {
    return toVolumeView(this.store.resolve(name));
  }

  /**
   * `POST /volumes/create`: a local volume. A name already taken gives that
   * volume back, as docker does; no name gives an anonymous one.
   * @throws InvalidParameterError for a bad name or a driver option the local driver has no use for here;
   *   NotFoundError `plugin "<driver>" not found`.
   */
  async create(body: VolumeCreateBody): Promise<Record<string, unknown>> {
    const driver = body.Driver ?? '';
    if (!['', 'local'].includes(driver)) throw new NotFoundError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const name = body.Name || anonymousVolumeName();
    if (!VOLUME_NAME.test(name)) {
      throw new InvalidParameterError(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    }
    const existing = this.store.get(name);
    if (existing !== undefined) return toVolumeView(existing);
    const options = body.DriverOpts ?? {};
    await checkDriverOptions(options);
    const labels = body.Name ? (body.Labels ?? {}) : { ...(body.Labels ?? {}), [ANONYMOUS_LABEL]: '' };
    return toVolumeView(await this.store.add({ Name: name, Labels: labels, Options: options }));
  }

  /**
   * Gives each volume mount of a container being created its volume: a named
   * one is made when missing, an anonymous one gets a new name; Source
   * becomes the host directory the container will mount.
   * @returns the mount points, Source and Name filled in.
   */
  async attach(points: readonly MountPointRecord[]): Promise<MountPointRecord[]> {
    const attached: MountPointRecord[] = [];
    for (const point of points) {
      if (point.Type !== 'volume') {
        attached.push(point);
        continue;
      }
      const name = point.Name || anonymousVolumeName();
      const volume = this.store.get(name) ?? (await this.#make(name, point));
      attached.push({ ...point, Name: name, Source: bindDevice(volume) ?? volume.Mountpoint });
    }
    return attached;
  }

  async #make(name: string, point: MountPointRecord): Promise<VolumeRecord> {
    const options = point.VolumeOptions ?? {};
    await checkDriverOptions(options);
    const labels = { ...(point.VolumeLabels ?? {}), ...(point.Anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) };
    return this.store.add({ Name: name, Labels: labels, Options: options });
  }

  /**
   * Fills an empty volume with what the image has at the mount's destination,
   * once, as docker does (not with `nocopy`, not for a bind device): modes,
   * owners, links and times kept (`cp -a`).
   */
  async populate(point: MountPointRecord, imageRoot: string): Promise<void> {
    if (point.Type !== 'volume' || point.NoCopy || point.Name === undefined) return;
    const volume = this.store.get(point.Name);
    if (volume === undefined || bindDevice(volume) !== undefined) return;
    if ((await fs.readdir(volume.Mountpoint).catch(() => ['?'])).length > 0) return;
    const from = path.join(imageRoot, point.Destination);
    const stat = await fs.lstat(from).catch(() => undefined);
    if (!stat?.isDirectory()) return;
    await exec('cp', ['-a', '--', `${from}/.`, `${volume.Mountpoint}/`]);
  }

  /**
   * `DELETE /volumes/{name}`: removes the volume and its data.
   * @throws NotFoundError (not with `force`); ConflictError `remove <name>: volume is in use - [<ids>]`
   *   while any container, running or not, has it among its mounts.
   */
  async remove(name: string, force = false): Promise<void> {
    const volume = this.store.get(name);
    if (volume === undefined) {
      if (force) return;
      throw new NotFoundError(`get ${name}: no such volume`);
    }
    const users = usersOf(name, this.#containers.all());
    if (users.length > 0) throw new ConflictError(`remove ${name}: volume is in use - [${users.map((c) => c.Id).join(', ')}]`);
    await this.store.delete(name);
  }

  /**
   * `POST /volumes/prune`: removes the volumes no container uses — only the
   * anonymous ones unless `all`, as docker 23 and later — that pass the label filters.
   * @returns docker's `{VolumesDeleted, SpaceReclaimed}`.
   */
  async prune(filters: VolumeFilters = {}): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    const all = (filters.all ?? []).some((v) => ['true', '1'].includes(v));
    const containers = this.#containers.all();
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const volume of this.store.all()) {
      if (!all && !(ANONYMOUS_LABEL in volume.Labels)) continue;
      if (usersOf(volume.Name, containers).length > 0) continue;
      if (!matchesVolumeFilters(volume, { label: filters.label ?? [], 'label!': filters['label!'] ?? [] }, 0)) continue;
      reclaimed += await diskUsage(volume.Mountpoint);
      await this.store.delete(volume.Name);
      deleted.push(volume.Name);
    }
    return { VolumesDeleted: deleted, SpaceReclaimed: reclaimed };
  }

  /** `rm -v`: removes a removed container's anonymous volumes that no other container uses. */
  async removeAnonymous(record: ContainerRecord): Promise<void> {
    const others = this.#containers.all().filter((c) => c.Id !== record.Id);
    for (const point of record.MountPoints ?? []) {
      if (point.Type !== 'volume' || !point.Anonymous || point.Name === undefined) continue;
      if (usersOf(point.Name, others).length > 0) continue;
      await this.store.delete(point.Name);
    }
  }
}

/**
 * The local driver's options this daemon honours: none, or a bind of a host
 * directory (`-o type=none -o o=bind -o device=/path`), which must exist.
 * @throws InvalidParameterError for anything else (a tmpfs or NFS volume needs a mount the daemon does not make).
 */
export async function checkDriverOptions(options: Record<string, string>): Promise<void> {
  if (Object.keys(options).length === 0) return;
  const { type, o, device, ...rest } = options;
  const isBind = type === 'none' && (o ?? '').split(',').includes('bind') && device !== undefined && Object.keys(rest).length === 0;
  if (!isBind) {
    throw new InvalidParameterError(`volume driver options ${JSON.stringify(options)} are not supported by minidockerd: the local driver here takes none, or type=none, o=bind and device=<an absolute host directory>`);
  }
  if (!device.startsWith('/') || !(await fs.stat(device).then((s) => s.isDirectory(), () => false))) {
    throw new InvalidParameterError(`invalid device for the bind volume: ${device} is not an existing absolute directory`);
  }
}

/** Bytes under a directory (du's apparent size), for prune's SpaceReclaimed; 0 when it cannot be read. */
async function diskUsage(dir: string): Promise<number> {
  try {
    const { stdout } = await exec('du', ['-s', '-B1', '--apparent-size', '--', dir]);
    return Number.parseInt(stdout, 10) || 0;
  } catch {
    return 0;
  }
}
