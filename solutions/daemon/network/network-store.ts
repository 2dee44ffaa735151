/**
 * Provided: the daemon's network records, one JSON file per network written
 * atomically, found by id, name or unique id prefix as docker finds them.
 * The three networks docker always has are made on first load, with ids that
 * stay: `bridge` (the default: each container has a network namespace of its
 * own, loopback only), `host` and `none`.
 *
 * ```
 * <data root>/networks/
 * └── <id>.json     the record: docker's inspect fields (Containers aside) + the holder of a user-defined network
 * ```
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, NotFoundError } from '../../errdefs.js';
import { writeFileAtomic } from '../../atomic-file.js';
import type { NamespaceHolder } from '../../runtime/netns-holder.js';
import { rfc3339Nano } from '../containers/container-store.js';

/** The networks every daemon has; none of them can be created or removed. */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none'] as const;

/** `IPAM.Config[]` entries. */
export interface IpamConfig {
  Subnet: string;
  Gateway: string;
}

/** One network as `GET /networks/{id}` shows it (without `Containers`, which comes from the containers). */
export interface NetworkRecord {
  Name: string;
  /** 64 hex digits. */
  Id: string;
  Created: string;
  Scope: 'local';
  /** `bridge` (the default and user-defined networks), `host` or `null` (none). */
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: 'default'; Options: Record<string, string> | null; Config: IpamConfig[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  /** A user-defined network: the process that holds its namespace (runtime/netns-holder.ts); undefined until one started. */
  Holder?: NamespaceHolder;
}

/** Loopback as a network's IPAM: what a client that derives the daemon host from the gateway (testcontainers) must find. */
export const LOOPBACK_IPAM: IpamConfig[] = [{ Subnet: '127.0.0.0/8', Gateway: '127.0.0.1' }];

/** The `Options` key that says what a network is here, in words: there is no bridge device. */
export const MODE_OPTION = 'minidocker.network.mode';

/** A new random network id: 64 lower-case hex digits, as docker's. */
export function newNetworkId(): string {
  return randomBytes(32).toString('hex');
}

/** A network record with docker's defaults. */
export function networkRecord(fields: Pick<NetworkRecord, 'Name' | 'Driver'> & Partial<NetworkRecord>): NetworkRecord {
  return {
    Id: newNetworkId(),
    Created: rfc3339Nano(),
    Scope: 'local',
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Options: {},
    Labels: {},
    ...fields,
  };
}

function builtin(name: (typeof BUILTIN_NETWORKS)[number]): NetworkRecord {
  switch (name) {
    case 'bridge':
      return networkRecord({
        Name: 'bridge',
        Driver: 'bridge',
        IPAM: { Driver: 'default', Options: null, Config: LOOPBACK_IPAM },
        Options: { [MODE_OPTION]: 'a network namespace of its own per container, loopback only; -p publishes on 127.0.0.1 through a userland proxy' },
      });
    case 'host':
      return networkRecord({ Name: 'host', Driver: 'host', Options: { [MODE_OPTION]: "the host's network namespace" } });
    case 'none':
      return networkRecord({ Name: 'none', Driver: 'null', Options: { [MODE_OPTION]: 'a network namespace of its own, loopback only, nothing published' } });
  }
}

/** The network records on disk and their index. */
export class NetworkStore {
  readonly dir: string;
  readonly #records = new Map<string, NetworkRecord>();

  /** @param dataRoot the daemon's data root: records live in `<dataRoot>/networks`. */
  constructor(dataRoot: string) {
    this.dir = path.join(dataRoot, 'networks');
  }

  /** Reads every record, and makes the built-in networks that are missing. A file that is not a record is skipped. */
  async load(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.#records.clear();
    for (const entry of await fs.readdir(this.dir)) {
      if (!/^[0-9a-f]{64}\.json$/.test(entry)) continue;
      try {
        const record = JSON.parse(await fs.readFile(path.join(this.dir, entry), 'utf8')) as NetworkRecord;
        if (typeof record.Id === 'string' && typeof record.Name === 'string') this.#records.set(record.Id, record);
      } catch {
        // a file being written when the daemon died: its temp file never became a record
      }
    }
    for (const name of BUILTIN_NETWORKS) {
      if (!this.all().some((r) => r.Name === name)) await this.save(builtin(name));
    }
  }

  /** Every record, oldest first. */
  all(): NetworkRecord[] {
    return [...this.#records.values()].sort((a, b) => a.Created.localeCompare(b.Created));
  }

  /**
   * Finds a network as docker does: by full id, then by name, then by unique id prefix.
   * @throws NotFoundError `network <ref> not found`, also for an ambiguous prefix.
   */
  resolve(ref: string): NetworkRecord {
    const byId = this.#records.get(ref);
    if (byId !== undefined) return byId;
    const byName = this.all().find((r) => r.Name === ref);
    if (byName !== undefined) return byName;
    const byPrefix = ref === '' ? [] : this.all().filter((r) => r.Id.startsWith(ref));
    if (byPrefix.length === 1 && byPrefix[0] !== undefined) return byPrefix[0];
    throw new NotFoundError(`network ${ref} not found`);
  }

  /** @throws ConflictError `network with name <name> already exists`. */
  checkName(name: string): void {
    if (this.all().some((r) => r.Name === name)) throw new ConflictError(`network with name ${name} already exists`);
  }

  /** Writes a record (atomically) and indexes it. */
  async save(record: NetworkRecord): Promise<void> {
    await writeFileAtomic(path.join(this.dir, `${record.Id}.json`), `${JSON.stringify(record, null, 2)}\n`, 0o600);
    this.#records.set(record.Id, record);
  }

  /** Removes a record. */
  async delete(id: string): Promise<void> {
    await fs.rm(path.join(this.dir, `${id}.json`), { force: true });
    this.#records.delete(id);
  }
}
