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
import { NotImplementedError } from '../../errors.js';
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
    // TODO(lesson-15): Make a local volume, or give back the one of that name; no name makes an anonymous one.
    // HINT: a Driver other than '' or local: NotFoundError `error looking up volume plugin <d>: plugin "<d>" not found`.
    // HINT: the name: body.Name || anonymousVolumeName(), checked with VOLUME_NAME (docker's words are in parseBind's);
    // HINT: this.store.get(name) already there → toVolumeView of it. checkDriverOptions(DriverOpts) before this.store.add;
    // HINT: an anonymous one gets the label ANONYMOUS_LABEL (''). Return toVolumeView(the record).
    void body;
    throw new NotImplementedError('lesson-15: VolumeService.create');
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
    // TODO(lesson-15): Copy the image's files at the mount's destination into an empty volume, once.
    // HINT: only a volume mount without NoCopy, whose volume exists and is not a bind device (bindDevice), and whose data dir is empty.
    // HINT: the source is path.join(imageRoot, point.Destination), when it is a directory; `cp -a -- <from>/. <mountpoint>/` keeps
    // HINT: modes, owners, links and times (exec('cp', [...])).
    void point, imageRoot, exec;
    throw new NotImplementedError('lesson-15: VolumeService.populate');
  }

  /**
   * `DELETE /volumes/{name}`: removes the volume and its data.
   * @throws NotFoundError (not with `force`); ConflictError `remove <name>: volume is in use - [<ids>]`
   *   while any container, running or not, has it among its mounts.
   */
  async remove(name: string, force = false): Promise<void> {
    // TODO(lesson-15): Remove a volume and its data, unless a container uses it.
    // HINT: missing: NotFoundError `get <name>: no such volume`, or nothing with force.
    // HINT: usersOf(name, this.#containers.all()) — any container, running or not — non-empty: ConflictError
    // HINT: `remove <name>: volume is in use - [<their ids, joined with ", ">]`. Then this.store.delete(name).
    void name, force;
    throw new NotImplementedError('lesson-15: VolumeService.remove');
  }

  /**
   * `POST /volumes/prune`: removes the volumes no container uses — only the
   * anonymous ones unless `all`, as docker 23 and later — that pass the label filters.
   * @returns docker's `{VolumesDeleted, SpaceReclaimed}`.
   */
  async prune(filters: VolumeFilters = {}): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    // TODO(lesson-15): Remove the volumes no container uses: the anonymous ones, or all with the all filter; label filters apply.
    // HINT: all is filters.all containing 'true' or '1'; anonymous means ANONYMOUS_LABEL in Labels; matchesVolumeFilters with the
    // HINT: label and label! filters only. Add diskUsage(Mountpoint) of each to SpaceReclaimed before deleting it.
    void filters, diskUsage;
    throw new NotImplementedError('lesson-15: VolumeService.prune');
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
