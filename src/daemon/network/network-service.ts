/**
 * The daemon's networks. `bridge`, `host` and `none` are always there; a
 * user-defined network is one network namespace shared by its containers,
 * held open by a small process (runtime/netns-holder.ts), so they reach each
 * other on 127.0.0.1, by name through their /etc/hosts. No bridge, no veth,
 * no address but loopback.
 *
 * ```
 * POST /networks/create ─▶ create: checks, record, holder started
 * container start       ─▶ namespaceOf(id): the holder's namespaces (a new holder when it died, in a running member's namespace)
 * DELETE /networks/{id} ─▶ remove: refused while a container on it runs; holder stopped, record deleted
 * connect / disconnect  ─▶ a stopped container changes network (a running one keeps the namespace it has)
 * ```
 */
import { NotImplementedError } from '../../errors.js';
import { ConflictError, InvalidParameterError, NotFoundError, SystemError } from '../../errdefs.js';
import { findBusybox, holderAlive, holderNamespaces, startHolder, stopHolder } from '../../runtime/netns-holder.js';
import type { NetworksBackend, NetworkMembers, NetworkSource } from '../backends.js';
import type { ContainerRecord } from '../containers/container-store.js';
import { isSet } from '../containers/create-options.js';
import type { NetworkConnectBody, NetworkCreateBody, NetworkDisconnectBody } from '../routes/network-requests.js';
import { BUILTIN_ALIAS, isBuiltin } from './network-attachment.js';
import { MODE_OPTION, NetworkStore, networkRecord } from './network-store.js';
import type { NetworkRecord } from './network-store.js';
import { dnsNamesOf, matchesNetworkFilters, membersOf, toNetworkInspect, toNetworkSummary } from './network-views.js';
import type { NetworkFilters } from './network-views.js';

/** What the networks service is built from: the composition root makes each once. */
export interface NetworkServiceOptions {
  store: NetworkStore;
  /** The containers' records: who is on which network. */
  containers: NetworkMembers;
  /** The daemon runs unprivileged: holders own a user namespace of their own. */
  rootless: boolean;
}

/** What a user-defined network says it is, in its Options. */
const USER_NETWORK_MODE = 'one network namespace shared by its containers, loopback only: they reach each other on 127.0.0.1 by name';

/** The refusal of a change to a running container's network. */
function runningRefusal(verb: 'connect' | 'disconnect', container: ContainerRecord, network: NetworkRecord): ConflictError {
  const name = container.Name.replace(/^\//, '');
  return new ConflictError(`cannot ${verb} running container ${name} ${verb === 'connect' ? 'to' : 'from'} network ${network.Name}: minidockerd keeps a running container in the network namespace it started in; stop it first`);
}

/** The networks backend behind `/networks/*`, and the containers' {@link NetworkSource}. */
export class NetworkService implements NetworksBackend, NetworkSource {
  readonly store: NetworkStore;
  readonly #containers: NetworkMembers;
  readonly #rootless: boolean;
  /** One holder start at a time per network: two containers starting together share it. */
  readonly #holding = new Map<string, Promise<{ net: string; user?: string }>>();

  constructor(options: NetworkServiceOptions) {
    this.store = options.store;
    this.#containers = options.containers;
    this.#rootless = options.rootless;
  }

  /** Loads the records (and makes the built-in networks the first time). Holders are found again on first use. */
  async restore(): Promise<void> {
    await this.store.load();
  }

  /** @throws NotFoundError `network <ref> not found`. */
  resolve(ref: string): NetworkRecord {
    return this.store.resolve(ref);
  }

  /** `GET /networks`: every network that passes the filters, oldest first. */
  list(filters: NetworkFilters = {}): Record<string, unknown>[] {
    const containers = this.#containers.all();
    return this.store.all().filter((n) => matchesNetworkFilters(n, filters, membersOf(n.Id, containers).length)).map(toNetworkSummary);
  }

  /** `GET /networks/{id}`. @throws NotFoundError. */
  inspect(ref: string): Record<string, unknown> {
    return toNetworkInspect(this.resolve(ref), this.#containers.all());
  }

  /** The names of the other containers on network `id`, for a container's /etc/hosts. */
  peersOf(id: string, except: string): string[][] {
    return membersOf(id, this.#containers.all()).filter((c) => c.Id !== except).map((c) => dnsNamesOf(c, id));
  }

  /** The running containers on network `id`. */
  runningOn(id: string): ContainerRecord[] {
    return membersOf(id, this.#containers.all()).filter((c) => c.State.Running);
  }

  /**
   * `POST /networks/create`: a user-defined network, its namespace held from
   * the start. What would need a bridge or addresses is refused, in docker's
   * words where docker has them.
   * @returns docker's `{Id, Warning}`.
   * @throws ConflictError `network with name <name> already exists`; InvalidParameterError for a
   *   refused driver or option; NotFoundError `plugin "<driver>" not found`.
   */
  async create(body: NetworkCreateBody): Promise<{ Id: string; Warning: string }> {
    // TODO(lesson-14): Check the request, make the record, start its holder, and save it.
    // HINT: checkNetworkCreate(body) refuses what cannot take effect here; this.store.checkName(body.Name) is docker's 409.
    // HINT: networkRecord({Name, Driver: 'bridge', Internal, Attachable, Labels, Options: {[MODE_OPTION]: USER_NETWORK_MODE}});
    // HINT: Holder: await startHolder({rootless: this.#rootless, busybox}) — findBusybox() gives busybox's path (SystemError when there is none).
    throw new NotImplementedError('lesson-14: NetworkService.create');
  }

  /**
   * The namespaces a container joins to be on user-defined network `id`: its
   * holder's. A holder that is gone is started again — inside the namespace
   * of a container still running on the network, when there is one, so the
   * network stays one namespace.
   * @throws NotFoundError when the network is gone; Error when no holder can start.
   */
  namespaceOf(id: string): Promise<{ net: string; user?: string }> {
    // TODO(lesson-14): Return the holder's namespaces; when it is not alive, start another (joining a running member's namespace) and save it.
    // HINT: holderAlive(record.Holder) tells a live holder from a pid reused; holderNamespaces(holder, rootless) gives the paths.
    // HINT: startHolder({rootless, busybox, join: member.State.Pid}) for the first of this.runningOn(id); no join when none runs.
    // HINT: keep the pending promise in this.#holding (and delete it when settled): two starts at once must share one holder.
    throw new NotImplementedError('lesson-14: NetworkService.namespaceOf');
  }

  /**
   * `DELETE /networks/{id}`: stops its holder and deletes its record. Containers
   * that are on it but stopped keep it in their record, as in docker: they
   * cannot start until they are connected to another network.
   * @throws NotFoundError; ConflictError for a built-in network, or one a running container is on (docker's words).
   */
  async remove(ref: string): Promise<void> {
    // TODO(lesson-14): Refuse a built-in network and one in use, then stop its holder and delete the record.
    // HINT: isBuiltin(record): `${Name} is a pre-defined network and cannot be removed`.
    // HINT: in use, docker's words: `error while removing network: network ${Name} has active endpoints (name:"${container name}" id:"${first 12 of its EndpointID}")`.
    throw new NotImplementedError('lesson-14: NetworkService.remove');
  }

  /** `POST /networks/prune`: removes every user-defined network no running container is on (and that passes the label filters). @returns their names. */
  async prune(filters: NetworkFilters = {}): Promise<string[]> {
    const deleted: string[] = [];
    for (const record of this.store.all()) {
      if (isBuiltin(record) || this.runningOn(record.Id).length > 0) continue;
      if (!matchesNetworkFilters(record, { label: filters.label ?? [] }, 0)) continue;
      await this.remove(record.Id);
      deleted.push(record.Name);
    }
    return deleted;
  }

  /**
   * `POST /networks/{id}/connect`: puts a stopped container on the network
   * (in place of the one it was on: a container has one network namespace here).
   * @throws NotFoundError for the network or container; InvalidParameterError for host and none, or aliases
   *   on a built-in network; ConflictError when it is on the network already, or runs.
   */
  async connect(ref: string, body: NetworkConnectBody): Promise<void> {
    // TODO(lesson-14): Check the container can move, then make this network its only one in NetworkSettings.Networks and save it.
    // HINT: host and none take no containers this way, and a container on host cannot leave it: docker's words are in HOST_OR_NONE.
    // HINT: the entry is {NetworkID, Aliases} under the network's Name; aliases only on a user-defined network (BUILTIN_ALIAS).
    throw new NotImplementedError('lesson-14: NetworkService.connect');
  }

  /**
   * `POST /networks/{id}/disconnect`: takes a stopped container off the network;
   * it starts with a namespace of its own (loopback only) until connected again.
   * @throws NotFoundError; InvalidParameterError for host; ConflictError when it is not on it, or runs.
   */
  async disconnect(ref: string, body: NetworkDisconnectBody): Promise<void> {
    const network = this.resolve(ref);
    const container = this.#containers.resolve(body.Container);
    if (network.Name === 'host' || container.HostConfig.NetworkMode === 'host') throw new InvalidParameterError(HOST_OR_NONE);
    const current = container.NetworkSettings?.Networks ?? {};
    const name = Object.keys(current).find((key) => current[key]?.NetworkID === network.Id);
    if (name === undefined) throw new ConflictError(`container ${container.Id} is not connected to network ${network.Name}`);
    if (container.State.Running) throw runningRefusal('disconnect', container, network);
    const { [name]: _gone, ...others } = current;
    container.NetworkSettings = { ...container.NetworkSettings, Networks: others };
    await this.#containers.save(container);
  }
}

/** docker's words for connecting to (or leaving) host, or to none. */
export const HOST_OR_NONE = 'container cannot be disconnected from host network or connected to host network';

function requireBusybox(): string {
  const busybox = findBusybox();
  if (busybox === undefined) throw new SystemError('busybox is needed to hold a network namespace (it brings loopback up and sleeps): install busybox-static');
  return busybox;
}

/**
 * Refuses a network create that asks for what a namespace with loopback only
 * cannot give: another driver, addresses (IPAM), IPv6 or no IPv4, driver
 * options (there is no bridge device to configure), swarm scopes and ingress,
 * config-only networks. `Internal` and `Attachable` are kept: a network here
 * never reaches outside, and any container may join it.
 * @throws InvalidParameterError; NotFoundError `plugin "<driver>" not found` for a driver docker does not know either.
 */
export function checkNetworkCreate(body: NetworkCreateBody): void {
  const why = 'a network here is a network namespace with loopback only';
  const refuse = (flag: string, field: string) => new InvalidParameterError(`${flag} (${field}) is not supported by minidockerd: ${why}`);
  if (body.Name.trim() === '' || body.Name.includes('/')) throw new InvalidParameterError(`invalid network name: "${body.Name}"`);
  const driver = body.Driver ?? '';
  if (!['', 'bridge'].includes(driver)) {
    if (['host', 'null'].includes(driver)) throw new InvalidParameterError(`only one instance of "${driver}" network is allowed`);
    if (['overlay', 'macvlan', 'ipvlan'].includes(driver)) throw refuse(`--driver ${driver}`, 'Driver');
    throw new NotFoundError(`plugin "${driver}" not found`);
  }
  if (!['', 'local'].includes(body.Scope ?? '')) throw refuse(`--scope ${body.Scope}`, 'Scope');
  if (body.Ingress) throw refuse('--ingress', 'Ingress');
  if (body.ConfigOnly) throw refuse('--config-only', 'ConfigOnly');
  if (isSet(body.ConfigFrom?.Network)) throw refuse('--config-from', 'ConfigFrom');
  if (body.EnableIPv6) throw refuse('--ipv6', 'EnableIPv6');
  if (body.EnableIPv4 === false) throw refuse('--ipv4=false', 'EnableIPv4');
  if (!['', 'default'].includes(body.IPAM?.Driver ?? '')) throw refuse('--ipam-driver', 'IPAM.Driver');
  if (isSet(body.IPAM?.Config)) throw refuse('--subnet, --ip-range, --gateway', 'IPAM.Config');
  if (isSet(body.IPAM?.Options)) throw refuse('--ipam-opt', 'IPAM.Options');
  if (isSet(body.Options)) throw refuse('-o, --opt', 'Options');
}
