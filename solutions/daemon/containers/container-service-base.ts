/**
 * Provided: the part of the containers service that teaches nothing new —
 * what it is built from, the live state it keeps per container, finding a
 * record, handing a create to container-create.ts, opening a container's
 * log as its log driver says, resizing a terminal, and deleting what the
 * runtime may have left behind. Lesson 12's
 * `ContainerService` (container-service.ts) extends it with the lifecycle.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError, SystemError } from '../../errdefs.js';
import { bindPorts } from '../../runtime/host-ports.js';
import type { BoundPorts, PortMapping } from '../../runtime/host-ports.js';
import { adoptPortProxy, startPortProxy } from '../../runtime/port-proxy.js';
import type { PortProxy } from '../../runtime/port-proxy.js';
import { JsonFileLog } from '../../runtime/json-log.js';
import type { Runc } from '../../runtime/runc.js';
import { resizeTerminal } from '../../runtime/shim.js';
import { specMounts } from '../../runtime/mounts.js';
import type { UserMount } from '../../runtime/mounts.js';
import type { ConsoleSize, Mount } from '../../runtime/spec.js';
import { NotImplementedError } from '../../errors.js';
import type { ImageSource, NetworkSource, VolumeSource } from '../backends.js';
import { isBuiltin, networkGone, newEndpointId, parseExtraHosts, pointBundle, writeNetworkFiles } from '../network/network-attachment.js';
import type { NetworkRecord } from '../network/network-store.js';
import type { MountPointRecord } from '../volumes/mount-points.js';
import { parseSignal } from '../routes/container-requests.js';
import type { ContainerCreateBody, Signal } from '../routes/container-requests.js';
import { createContainer, imageRootfsPath } from './container-create.js';
import { ContainerLocks } from './container-locks.js';
import { checkTransition } from './container-state.js';
import type { ContainerRecord, ContainerStore } from './container-store.js';
import { portMappingsOf } from './create-options.js';
import type { DaemonFacts } from './create-options.js';
import { rotationOf } from './log-config.js';
import { LiveContainer } from './live-container.js';

/** What the containers service is built from: the composition root makes each once. */
export interface ContainerServiceOptions {
  dataRoot: string;
  images: ImageSource;
  store: ContainerStore;
  /** The OCI runtime (runc or crun) with its state root. */
  runtime: Runc;
  /** Root or not, the runtime's name, the init binary: what every create needs to know. */
  facts: DaemonFacts;
  /** The networks (lesson 14): the one a container is on, its namespace, the names on it. */
  networks: NetworkSource;
  /** The volumes (lesson 15): made at create, filled at the first start, removed with `rm -v`. */
  volumes: VolumeSource;
}

/** The signal stop sends first: Config.StopSignal, else SIGTERM. */
export function stopSignalOf(record: ContainerRecord): Signal {
  const signal = record.Config.StopSignal ? parseSignal(record.Config.StopSignal) : undefined;
  return signal ?? 'SIGTERM';
}

/** The containers service's given part: see the top of this file. */
export abstract class ContainerServiceBase {
  readonly dataRoot: string;
  readonly images: ImageSource;
  readonly store: ContainerStore;
  readonly runc: Runc;
  readonly facts: DaemonFacts;
  readonly networks: NetworkSource;
  readonly volumes: VolumeSource;
  /**
   * `start` and `exit` of every container, with its id: what the health monitor
   * (lesson 13) listens to. Emitted for each LiveContainer's own events.
   */
  readonly lifecycle = new EventEmitter();
  /**
   * Lesson 15: one holder at a time per container for what must not overlap on
   * its root filesystem: a start (its shim mounts the overlay unless it finds
   * it mounted) and an archive operation (which mounts a stopped container's).
   */
  readonly rootfsLocks = new ContainerLocks();
  /** The ids of a container's running execs, for inspect's ExecIDs; the composition root sets it once execs exist. */
  execIds: (id: string) => string[] = () => [];
  readonly #live = new Map<string, LiveContainer>();
  /** The port proxy of each running container that publishes ports (lesson 14). */
  readonly #proxies = new Map<string, PortProxy>();

  constructor(options: ContainerServiceOptions) {
    this.dataRoot = options.dataRoot;
    this.images = options.images;
    this.store = options.store;
    this.runc = options.runtime;
    this.facts = options.facts;
    this.networks = options.networks;
    this.volumes = options.volumes;
  }

  /** The live state of container `id` (made on first use). */
  live(id: string): LiveContainer {
    let live = this.#live.get(id);
    if (live === undefined) {
      this.#live.set(id, (live = new LiveContainer()));
      live.on('start', () => this.lifecycle.emit('start', id));
      live.on('exit', () => this.lifecycle.emit('exit', id));
    }
    return live;
  }

  /** `<container dir>/container-json.log`. */
  logPath(id: string): string {
    return path.join(this.store.dir(id), 'container-json.log');
  }

  /**
   * Opens the container's log for appending, rotated as its LogConfig says
   * (json-file, local); undefined for the none driver, which keeps nothing.
   */
  async openLog(record: ContainerRecord): Promise<JsonFileLog | undefined> {
    const config = record.HostConfig.LogConfig ?? { Type: 'json-file', Config: {} };
    if (config.Type === 'none') return undefined;
    return JsonFileLog.open(this.logPath(record.Id), rotationOf(config));
  }

  /**
   * Sends `signal` to the container's process; a paused container is thawed
   * after it (runc resume), so the signal lands, and counts as running again.
   * @throws RuntimeError with the runtime's message.
   */
  async sendSignal(record: ContainerRecord, signal: Signal): Promise<void> {
    await this.runc.kill(record.Id, signal);
    if (record.State.Status !== 'paused') return;
    await this.runc.resume(record.Id).catch(() => undefined);
    if (record.State.Status === 'paused') {
      record.State.Status = 'running';
      await this.store.save(record);
    }
  }

  /**
   * Lessons 14 and 15: readies what a container about to start mounts and
   * joins, before its process runs. Its mounts (lesson 15): a `-v` host
   * directory that is missing is made, an empty volume is filled from the
   * image. Its network (lesson 14): its /etc/hosts, /etc/resolv.conf and
   * /etc/hostname (network-files.ts) are written, and those of the running
   * containers on its network, which now know its name too. Its bundle is
   * pointed at all of it and at the network's namespace (a user-defined
   * network's holder). Then its host ports are bound (HostConfig.PortBindings,
   * and every exposed port with PublishAllPorts), so a port in use fails the
   * start with nothing running.
   * @returns the bound ports for {@link publishPorts}, or undefined when it publishes none
   *   (also with `--network host`: docker discards the ports then).
   * @throws NotFoundError `network <name> not found` for a network removed since; InvalidParameterError
   *   for a port or host IP refused; SystemError `Bind for 127.0.0.1:8080 failed: port is already allocated`.
   */
  async prepareStart(record: ContainerRecord): Promise<BoundPorts | undefined> {
    const dir = this.store.dir(record.Id);
    const userMounts = await this.#prepareMounts(record);
    const [name, endpoint] = Object.entries(record.NetworkSettings?.Networks ?? {})[0] ?? [];
    let network: NetworkRecord | undefined;
    if (name !== undefined && endpoint !== undefined) {
      try {
        network = this.networks.resolve(endpoint.NetworkID);
      } catch {
        throw networkGone(name);
      }
    }
    const shared = network !== undefined && !isBuiltin(network) ? network : undefined;
    const namespaces = shared === undefined ? undefined : await this.networks.namespaceOf(shared.Id);
    const written = await this.#writeNetworkFiles(record, shared).then(
      () => true,
      // Lesson 14 not done yet: the container starts with its image's files, as before.
      (err: unknown) => (err instanceof NotImplementedError ? false : Promise.reject(err)),
    );
    await pointBundle(path.join(dir, 'bundle'), { ...(written ? { networkFiles: dir } : {}), ...(namespaces ? { namespaces } : {}), readonly: record.HostConfig.ReadonlyRootfs ?? false, userMounts });
    if (endpoint !== undefined) endpoint.EndpointID = newEndpointId();
    if (shared !== undefined && written) {
      // The others on the network learn its name: their files are bind-mounted, so rewriting them is enough.
      for (const peer of this.networks.runningOn(shared.Id)) {
        if (peer.Id !== record.Id) await this.#writeNetworkFiles(peer, shared).catch(() => undefined);
      }
    }
    if (record.HostConfig.NetworkMode === 'host' || network?.Name === 'host') return undefined; // discarded, with a warning at create
    const mappings = portMappingsOf(record.HostConfig.PortBindings ?? null, record.HostConfig.PublishAllPorts ?? false, record.Config.ExposedPorts);
    return mappings.length > 0 ? bindPorts(mappings) : undefined;
  }

  // Lesson 15: a -v host directory that is missing is made (docker makes it, root-owned, 0755); an empty
  // volume gets the image's files. The spec mounts of them all, in docker's order.
  async #prepareMounts(record: ContainerRecord): Promise<Mount[]> {
    const points = record.MountPoints ?? [];
    for (const point of points) {
      if (point.Type === 'bind' && point.CreateSource) await fs.mkdir(point.Source, { recursive: true, mode: 0o755 });
      if (point.Type === 'volume') await this.volumes.populate(point, imageRootfsPath(this.dataRoot, record.Image));
    }
    return points.length === 0 ? [] : specMounts(points.map(userMountOf));
  }

  // A container's hosts, resolv.conf and hostname, from its record (and the names on its network).
  async #writeNetworkFiles(record: ContainerRecord, shared: NetworkRecord | undefined): Promise<void> {
    const host = record.HostConfig;
    const onHost = host.NetworkMode === 'host';
    await writeNetworkFiles(this.store.dir(record.Id), {
      hostname: record.Config.Hostname,
      extraHosts: parseExtraHosts(host.ExtraHosts, host.Dns),
      dns: host.Dns ?? [],
      dnsSearch: host.DnsSearch ?? [],
      dnsOptions: host.DnsOptions ?? [],
      hostNetwork: onHost,
      peers: shared === undefined ? [] : this.networks.peersOf(shared.Id, record.Id),
    });
  }

  /**
   * Lesson 14, second half of `-p`: once the container's process runs
   * (`pid`), starts its port proxy with the bound sockets and keeps the
   * mappings, as bound, in the record (saved by the caller).
   * @throws SystemError when the proxy does not start; the ports are closed then.
   */
  async publishPorts(record: ContainerRecord, ports: BoundPorts, pid: number): Promise<void> {
    try {
      this.#proxies.set(record.Id, await startPortProxy(ports, { dir: this.store.dir(record.Id), pid }));
    } catch (err) {
      await ports.close();
      throw new SystemError(`failed to publish the ports of container ${record.Id}: ${(err as Error).message}`, { cause: err });
    }
    record.NetworkSettings = { ...record.NetworkSettings, Ports: portMapOf(ports.mappings) };
  }

  /**
   * After a daemon restart, finds a running container's port proxy again
   * (proxy.pid in its directory); one that is gone is started again, its
   * ports bound anew as the record has them.
   */
  async adoptPorts(record: ContainerRecord, pid: number): Promise<void> {
    const dir = this.store.dir(record.Id);
    const adopted = adoptPortProxy(dir);
    if (adopted !== undefined && adopted.containerPid === pid) {
      this.#proxies.set(record.Id, adopted);
      return;
    }
    await adopted?.stop();
    const bound = Object.entries(record.NetworkSettings?.Ports ?? {}).flatMap(([key, list]) =>
      list.map((b): PortMapping => {
        const [port = '0', proto = 'tcp'] = key.split('/');
        return { proto: proto as PortMapping['proto'], hostIp: b.HostIp, hostPort: Number(b.HostPort), containerPort: Number(port) };
      }),
    );
    if (bound.length === 0) return;
    const ports = await bindPorts(bound);
    await this.publishPorts(record, ports, pid);
  }

  /**
   * Lesson 14: a container exited (or is removed): ends its port proxy, and
   * drops its published ports and its endpoint id from the record (saved by the caller).
   */
  async releaseNetwork(record: ContainerRecord): Promise<void> {
    const proxy = this.#proxies.get(record.Id) ?? adoptPortProxy(this.store.dir(record.Id));
    this.#proxies.delete(record.Id);
    await proxy?.stop();
    if (record.NetworkSettings === undefined) return;
    delete record.NetworkSettings.Ports;
    for (const endpoint of Object.values(record.NetworkSettings.Networks ?? {})) delete endpoint.EndpointID;
  }

  /** Lesson 15: after a removal with `-v` (or of an AutoRemove container), its anonymous volumes no other container uses. */
  async removeVolumes(record: ContainerRecord): Promise<void> {
    await this.volumes.removeAnonymous(record);
  }

  /** Runs `fn` holding the container's root filesystem ({@link rootfsLocks}): the routes start and restart a container this way. */
  async exclusive<T>(ref: string, fn: () => Promise<T>): Promise<T> {
    return this.rootfsLocks.run(this.resolve(ref).Id, fn);
  }

  /** Forgets the live state of a container that was removed. */
  protected forget(id: string): void {
    this.#live.delete(id);
  }

  /** Finds a container by id, name or unique id prefix. @throws as ContainerStore.resolve. */
  resolve(ref: string): ContainerRecord {
    return this.store.resolve(ref);
  }

  /** `POST /containers/create`: see container-create.ts. */
  async create(body: ContainerCreateBody, name: string | undefined): Promise<{ Id: string; Warnings: string[] }> {
    const { record, warnings } = await createContainer({ dataRoot: this.dataRoot, images: this.images, store: this.store, facts: this.facts, networks: this.networks, volumes: this.volumes }, body, name);
    return { Id: record.Id, Warnings: warnings };
  }

  /**
   * Resizes a running Tty container's terminal, as `docker run -t` asks
   * right after start and whenever its window changes size.
   * @throws ConflictError when it is not running; InvalidParameterError when it has no Tty.
   */
  async resize(ref: string, size: ConsoleSize): Promise<void> {
    const record = this.resolve(ref);
    checkTransition(record.Id, record.State.Status, 'resize');
    if (!record.Config.Tty) throw new InvalidParameterError(`container ${record.Id} has no terminal to resize: it was created without Tty`);
    await resizeTerminal(this.store.dir(record.Id), size);
  }

  // `runc run` deletes its container when it exits, so the runtime usually holds no
  // state and the delete (a runtime process, milliseconds) is skipped. State is left
  // behind only when a shim died with its container, or a start failed half way.
  protected async deleteRuntimeState(id: string): Promise<void> {
    const held = await fs.access(path.join(this.runc.root, id)).then(() => true, () => false);
    if (held) await this.runc.delete(id, { force: true });
  }
}

/** Mappings in docker's shape: `{"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}]}`. */
export function portMapOf(mappings: readonly PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const m of mappings) (ports[`${m.containerPort}/${m.proto}`] ??= []).push({ HostIp: m.hostIp, HostPort: String(m.hostPort) });
  return ports;
}

/** A mount point as the runtime's spec needs it (runtime/mounts.ts): a volume is a bind of its data directory. */
export function userMountOf(point: MountPointRecord): UserMount {
  if (point.Type === 'tmpfs') return { kind: 'tmpfs', source: '', destination: point.Destination, readonly: !point.RW, tmpfsOptions: point.TmpfsOptions ?? [] };
  return { kind: 'bind', source: point.Source, destination: point.Destination, readonly: !point.RW, propagation: point.Propagation || 'rprivate' };
}
