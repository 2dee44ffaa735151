/**
 * Provided: the daemon's volumes on disk, docker's `local` driver. Each
 * volume is a directory under the data root: its data in `_data` (what a
 * container mounts), its record beside it, written atomically. Nothing here
 * removes a volume's data but {@link VolumeStore.delete}.
 *
 * ```
 * <data root>/volumes/
 * └── <name>/
 *     ├── volume.json   the record: docker's Volume fields, and whether it is anonymous
 *     └── _data/        the data; with the bind option (`-o type=none -o o=bind -o device=/path`) unused: the device is mounted instead
 * ```
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, NotFoundError } from '../../errdefs.js';
import { writeFileAtomic } from '../../atomic-file.js';
import { rfc3339Nano } from '../containers/container-store.js';

/** A volume as `GET /volumes/{name}` shows it (docker's `volume.Volume`). */
export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  /** Where its data is on the host: `<data root>/volumes/<name>/_data`. */
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  /** The driver options it was created with (`-o`), as given. */
  Options: Record<string, string>;
  Scope: 'local';
}

/** The label docker (23 and later) puts on the volumes a container got without naming them. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** docker's rule for a local volume name. */
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** A new anonymous volume's name: 64 hex digits, as docker's. */
export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/** The volume records on disk and their index. */
export class VolumeStore {
  readonly dir: string;
  readonly #records = new Map<string, VolumeRecord>();

  /** @param dataRoot the daemon's data root: volumes live in `<dataRoot>/volumes`. */
  constructor(dataRoot: string) {
    this.dir = path.join(dataRoot, 'volumes');
  }

  /** Reads every record; a directory without one (a create cut short) is skipped, its data kept. */
  async load(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.#records.clear();
    for (const name of await fs.readdir(this.dir)) {
      try {
        const record = JSON.parse(await fs.readFile(path.join(this.dir, name, 'volume.json'), 'utf8')) as VolumeRecord;
        if (record.Name === name) this.#records.set(name, record);
      } catch {
        // no record (yet): not a volume
      }
    }
  }

  /** Every volume, by name. */
  all(): VolumeRecord[] {
    return [...this.#records.values()].sort((a, b) => a.Name.localeCompare(b.Name));
  }

  /** @returns the record, or undefined when there is no such volume. */
  get(name: string): VolumeRecord | undefined {
    return this.#records.get(name);
  }

  /** @throws NotFoundError `get <name>: no such volume`, docker's words. */
  resolve(name: string): VolumeRecord {
    const record = this.#records.get(name);
    if (record === undefined) throw new NotFoundError(`get ${name}: no such volume`);
    return record;
  }

  /** The data directory a new volume named `name` gets. */
  dataDir(name: string): string {
    return path.join(this.dir, name, '_data');
  }

  /**
   * Makes a volume's directory and data directory (0755, as docker's `_data`), then writes its record.
   * @throws ConflictError when a volume of that name exists.
   */
  async add(record: Omit<VolumeRecord, 'Mountpoint' | 'CreatedAt' | 'Driver' | 'Scope'>): Promise<VolumeRecord> {
    if (this.#records.has(record.Name)) throw new ConflictError(`volume ${record.Name} already exists`);
    const full: VolumeRecord = { Driver: 'local', Scope: 'local', CreatedAt: rfc3339Nano(new Date()).replace(/\.\d+Z$/, 'Z'), Mountpoint: this.dataDir(record.Name), ...record };
    await fs.mkdir(full.Mountpoint, { recursive: true, mode: 0o755 });
    await writeFileAtomic(path.join(this.dir, record.Name, 'volume.json'), `${JSON.stringify(full, null, 2)}\n`, 0o600);
    this.#records.set(record.Name, full);
    return full;
  }

  /** Removes a volume: its record first (so a crash leaves data without a record, never a record without data), then its directory. */
  async delete(name: string): Promise<void> {
    await fs.rm(path.join(this.dir, name, 'volume.json'), { force: true });
    this.#records.delete(name);
    await fs.rm(path.join(this.dir, name), { recursive: true, force: true });
  }
}
