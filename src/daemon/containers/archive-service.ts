/**
 * Provided: the backend of the archive API — which container, what its
 * filesystem is (its rootfs, its mounts, its id maps), and its rootfs held
 * for the whole operation, running or not. archive.ts (lesson 15) does the
 * reading and writing.
 *
 * ```
 * HEAD|GET|PUT /containers/{id}/archive
 *   ─▶ lock <id>             one archive operation at a time, and no start meanwhile (ContainerLocks)
 *   ─▶ overlay, not mounted? mount -t overlay … <dir>/bundle/rootfs   (a stopped container's merged view)
 *   ─▶ open <rootfs>         held: a container that exits meanwhile cannot unmount it from under us
 *   ─▶ archive.ts on filesystemOf(record)
 *   ─▶ close; not running (any more)? umount what is mounted; unlock     (a GET: once its tar is read or dropped)
 * ```
 * The shim mounts the overlay only while the container runs, and uses a
 * rootfs it finds mounted as it is: a start must hold the same
 * ContainerLocks (container-locks.ts) around its mount, or it could take
 * this service's mount for its own and lose it half-way.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { ContainerPathStat } from '../../api/volume-types.js';
import { InvalidParameterError, NotFoundError } from '../../errdefs.js';
import { LayerEscapeError } from '../../image/layer-errors.js';
import { mapId } from '../../image/ownership.js';
import { isMountPoint, overlayMountArgs, rootfsPath } from '../../runtime/rootfs.js';
import type { Spec } from '../../runtime/spec.js';
import { resolveUser } from '../../runtime/user.js';
import type { ArchiveTarget } from '../backends.js';
import { networkFilePaths } from '../network/network-attachment.js';
import { archiveOut, extractIn, statPath } from './archive.js';
import type { ContainerFilesystem, FsMount } from './archive-support.js';
import { imageRootfsPath } from './container-create.js';
import { ContainerLocks } from './container-locks.js';
import type { ContainerRecord } from './container-store.js';

const run = promisify(execFile);


/** How PUT writes: docker's query flags. */
export interface PutArchiveOptions {
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
}

/**
 * A container's files as its processes see them: its rootfs, its binds and
 * volumes (record.MountPoints; tmpfs is not reachable from outside, as with
 * docker), the network files it was given (read-only with `--read-only`),
 * and its user-namespace id maps (bundle/config.json, rootless).
 */
export async function filesystemOf(record: ContainerRecord, dir: string): Promise<ContainerFilesystem> {
  const readonlyRootfs = record.HostConfig.ReadonlyRootfs ?? false;
  const mounts: FsMount[] = (record.MountPoints ?? [])
    .filter((point) => point.Type !== 'tmpfs' && point.Source !== '')
    .map((point) => ({ destination: path.posix.normalize(point.Destination), source: point.Source, readonly: !point.RW }));
  const files = networkFilePaths(dir);
  const networkFiles: Array<[string, string]> = [['/etc/hosts', files.hosts], ['/etc/resolv.conf', files.resolvConf], ['/etc/hostname', files.hostname]];
  for (const [destination, source] of networkFiles) {
    const written = await fs.lstat(source).then(() => true, () => false);
    if (written && !mounts.some((m) => m.destination === destination)) mounts.push({ destination, source, readonly: readonlyRootfs });
  }
  const spec = JSON.parse(await fs.readFile(path.join(dir, 'bundle', 'config.json'), 'utf8').catch(() => '{}')) as Spec;
  const { uidMappings = [], gidMappings = [] } = spec.linux ?? {};
  const idMap = uidMappings.length > 0 && gidMappings.length > 0 ? { uidMappings, gidMappings } : undefined;
  return { root: rootfsPath(dir), mounts, readonlyRootfs, ...(idMap === undefined ? {} : { idMap }) };
}

/** A container's filesystem, held for one operation: `done` lets it go. */
interface Held {
  record: ContainerRecord;
  fsys: ContainerFilesystem;
  done(): Promise<void>;
}

/** The archive API's backend (routes/archive.ts): stat, archive and extract, on running and stopped containers alike. */
export class ArchiveService {
  readonly #target: ArchiveTarget;
  readonly #maxBytes: number | undefined;
  /** Shared with the containers' start (compose.ts), which must hold it around its mount. */
  readonly locks: ContainerLocks;

  constructor(target: ArchiveTarget, options: { locks?: ContainerLocks; maxBytes?: number } = {}) {
    this.#target = target;
    this.locks = options.locks ?? new ContainerLocks();
    this.#maxBytes = options.maxBytes;
  }

  /** `HEAD`: the stat of `target`. @throws NotFoundError `Could not find the file <path> in container <ref>` */
  async stat(ref: string, target: string): Promise<ContainerPathStat> {
    const held = await this.#hold(ref);
    try {
      return await statPath(held.fsys, target);
    } catch (err) {
      throw engineError(err, target, ref);
    } finally {
      await held.done();
    }
  }

  /** `GET`: the stat and the tar of `target`; the container stays held until the tar is read or dropped. */
  async get(ref: string, target: string): Promise<{ stat: ContainerPathStat; tar: Readable }> {
    const held = await this.#hold(ref);
    try {
      const { stat, tar } = await archiveOut(held.fsys, target);
      // The tar ends only once the container is let go of: a client that read it all finds nothing left mounted.
      async function* thenRelease(): AsyncGenerator<Buffer> {
        try {
          yield* tar as AsyncIterable<Buffer>;
        } finally {
          await held.done();
        }
      }
      return { stat, tar: Readable.from(thenRelease(), { objectMode: false }) };
    } catch (err) {
      await held.done();
      throw engineError(err, target, ref);
    }
  }

  /**
   * `PUT`: extracts the tar in `body` into the directory `target`. With
   * `copyUIDGID` and a Config.User, every entry belongs to that user (looked
   * up in the container's /etc/passwd and /etc/group), as docker 28 does;
   * otherwise entries keep the tar's ids, mapped as lesson 06 maps a layer's.
   * @throws InvalidParameterError `container ID <uid> cannot be mapped to a host ID` when
   *   that user has no host id (rootless)
   */
  async put(ref: string, target: string, body: Readable, options: PutArchiveOptions): Promise<void> {
    const held = await this.#hold(ref);
    try {
      const user = held.record.Config.User ?? '';
      let owner: { uid: number; gid: number } | undefined;
      if (options.copyUIDGID && user !== '') {
        const { uid, gid } = await resolveUser(held.fsys.root, user);
        const map = held.fsys.idMap;
        if (map !== undefined && (mapId(map.uidMappings, uid) === undefined || mapId(map.gidMappings, gid) === undefined)) {
          throw new InvalidParameterError(`container ID ${mapId(map.uidMappings, uid) === undefined ? uid : gid} cannot be mapped to a host ID`);
        }
        owner = { uid, gid };
      }
      await extractIn(held.fsys, target, body, { noOverwriteDirNonDir: options.noOverwriteDirNonDir, ...(owner ? { owner } : {}), ...(this.#maxBytes ? { maxBytes: this.#maxBytes } : {}) });
    } catch (err) {
      throw engineError(err, target, ref);
    } finally {
      await held.done();
    }
  }

  // Locks the container, makes sure its rootfs is there (mounting a stopped overlay one) and keeps it there until done().
  async #hold(ref: string): Promise<Held> {
    const record = this.#target.resolve(ref);
    const release = await this.locks.acquire(record.Id);
    const dir = this.#target.dir(record.Id);
    const root = rootfsPath(dir);
    const overlay = record.Driver === 'overlay2';
    const wasRunning = record.State.Running;
    let mounted = false;
    let pin: fs.FileHandle | undefined;
    let held = true;
    const done = async (): Promise<void> => {
      if (!held) return;
      held = false;
      await pin?.close().catch(() => undefined);
      pin = undefined;
      // What we mounted, or what the shim could not unmount because we held it: gone, unless the container runs now.
      const running = (() => {
        try {
          return this.#target.resolve(record.Id).State.Running;
        } catch {
          return false;
        }
      })();
      if (overlay && (mounted || wasRunning) && !running && (await isMountPoint(root))) await run('umount', [root]).catch(() => undefined);
      release();
    };
    try {
      // The container may exit (and its shim unmount) between the check and the open: check again once it is held.
      for (let tries = 0; overlay && pin === undefined; tries++) {
        if (!(await isMountPoint(root))) {
          if (tries > 2) throw new Error(`cannot keep ${root} mounted`);
          const [command = 'mount', ...args] = overlayMountArgs(imageRootfsPath(this.#target.dataRoot, record.Image), dir);
          await run(command, args);
          mounted = true;
        }
        const handle = await fs.open(root, 'r');
        if (await isMountPoint(root)) pin = handle;
        else await handle.close();
      }
      return { record, fsys: await filesystemOf(record, dir), done };
    } catch (err) {
      await done();
      throw err;
    }
  }
}

/**
 * An error of the file system or of archive.ts as the Engine API answers it:
 * nothing there is docker's 404 `Could not find the file <path> in container
 * <ref>`; an archive entry refused for leaving its root is a 400.
 */
export function engineError(err: unknown, target: string, ref: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new NotFoundError(`Could not find the file ${target} in container ${ref}`, { cause: err });
  if (err instanceof LayerEscapeError) return new InvalidParameterError(err.message.replace(/^layer entry/, 'archive entry'), { cause: err });
  return err;
}
