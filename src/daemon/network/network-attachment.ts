/**
 * Provided: how a container is put on its network. At create, the network
 * its `HostConfig.NetworkMode` names is found and kept in the record as one
 * endpoint (`NetworkSettings.Networks`); at each start, its network files
 * are written (network-files.ts) and its bundle is pointed at them and at
 * the network's namespace.
 *
 * ```
 * NetworkMode            the container's network namespace          NetworkSettings.Networks
 * default, bridge, ''    its own, loopback only                    {"bridge": …}
 * none                   its own, loopback only (nothing published) {"none": …}
 * host                   the host's                                 {"host": …}
 * <name, id or prefix>   the network's, shared (runtime/netns-holder.ts) {"<name>": {Aliases, …}}
 *
 * config.json at start: mounts   /etc/hosts, /etc/resolv.conf, /etc/hostname  ← <container dir>/hosts, resolv.conf, hostname
 *                       linux.namespaces network {path: /proc/<holder>/ns/net} (+ user {path} when rootless)
 * ```
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { InvalidParameterError, NotFoundError } from '../../errdefs.js';
import { writeFileAtomic } from '../../atomic-file.js';
import type { LinuxNamespace, Mount, Spec } from '../../runtime/spec.js';
import { isSet } from '../containers/create-options.js';
import type { ContainerCreateBody } from '../routes/container-requests.js';
import { hostsFile, resolvConf } from './network-files.js';
import type { HostEntry } from './network-files.js';
import { BUILTIN_NETWORKS } from './network-store.js';
import type { NetworkRecord } from './network-store.js';

/** A container's place on one network, as its record keeps it. */
export interface EndpointRecord {
  NetworkID: string;
  /** `--network-alias`: more names for it on a user-defined network. */
  Aliases: string[] | null;
  /** Set while it runs: a random id, as docker's endpoints have. */
  EndpointID?: string;
}

/** What create decided about a container's network. */
export interface Attachment {
  /** The bundle's network mode at create: 'host', else a namespace of its own (a user-defined network's is joined at start). */
  mode: 'none' | 'host';
  /** The record's NetworkSettings.Networks: one network, by name. */
  networks: Record<string, EndpointRecord>;
}

/** What the attachment needs to find networks by name, id or prefix. */
export interface NetworkLookup {
  /** @throws NotFoundError `network <ref> not found`. */
  resolve(ref: string): NetworkRecord;
}

/** docker's words for an alias on a network that is not user-defined. */
export const BUILTIN_ALIAS = 'network-scoped alias is supported only for containers in user defined networks';

/** Whether a network is one of the three every daemon has (not user-defined). */
export function isBuiltin(network: Pick<NetworkRecord, 'Name'>): boolean {
  return (BUILTIN_NETWORKS as readonly string[]).includes(network.Name);
}

/**
 * The network a create asks for: `HostConfig.NetworkMode` and its entry in
 * `NetworkingConfig.EndpointsConfig` (Aliases; the CLI also sends empty
 * settings). A container is on one network here: a namespace is either its
 * own, the host's, or one network's.
 * @throws NotFoundError `network <name> not found`; InvalidParameterError for
 *   `container:<id>`, a second network, aliases on a built-in network, or
 *   endpoint settings that need addresses (IPAMConfig, IPAddress, MacAddress, Links, DriverOpts).
 */
export function attachmentOf(body: ContainerCreateBody, networks: NetworkLookup): Attachment {
  const asked = body.HostConfig?.NetworkMode ?? '';
  if (asked.startsWith('container:')) {
    throw new InvalidParameterError(`--network ${asked} (HostConfig.NetworkMode) is not supported by minidockerd: use a user-defined network to share a network namespace`);
  }
  const network = networks.resolve(['', 'default'].includes(asked) ? 'bridge' : asked);
  let aliases: string[] | null = null;
  for (const [name, settings] of Object.entries(body.NetworkingConfig?.EndpointsConfig ?? {})) {
    const same = ['', 'default'].includes(name) ? network.Name === 'bridge' : name === asked || name === network.Name || name === network.Id;
    if (!same) {
      networks.resolve(name); // docker's 404 first, for a network that does not exist at all
      throw new InvalidParameterError(`NetworkingConfig.EndpointsConfig.${name}: a container is on one network in minidockerd, and this one is on ${network.Name}`);
    }
    const { Aliases, DNSNames: _dnsNames, GwPriority: _priority, NetworkID: _id, EndpointID: _endpoint, ...rest } = settings ?? {};
    const other = Object.entries(rest).find(([, value]) => isSet(value));
    if (other !== undefined) {
      throw new InvalidParameterError(`NetworkingConfig.EndpointsConfig.${name}.${other[0]} is not supported by minidockerd: containers have no address but 127.0.0.1`);
    }
    if (isSet(Aliases)) {
      if (!Array.isArray(Aliases) || !Aliases.every((a) => typeof a === 'string')) throw new InvalidParameterError(`NetworkingConfig.EndpointsConfig.${name}.Aliases: type:[]string`);
      if (isBuiltin(network)) throw new InvalidParameterError(BUILTIN_ALIAS);
      aliases = [...new Set(Aliases as string[])];
    }
  }
  return { mode: network.Name === 'host' ? 'host' : 'none', networks: { [network.Name]: { NetworkID: network.Id, Aliases: aliases } } };
}

/**
 * Checks `--dns` and `--add-host` as docker does (the other DNS options are
 * free text), and parses the extra hosts.
 * @throws InvalidParameterError `<x> is not an ip address`, `bad format for add-host: "<x>"`, and for
 *   `host-gateway`: a container here has no route to the host's addresses.
 */
export function parseExtraHosts(extraHosts: readonly string[] | null | undefined, dns: readonly string[] | null | undefined): HostEntry[] {
  for (const server of dns ?? []) if (net.isIP(server) === 0) throw new InvalidParameterError(`${server} is not an ip address`);
  return (extraHosts ?? []).map((entry) => {
    // name:ip, or name=ip (docker 28); an IPv6 address has colons of its own.
    const at = /^[^:=]+[:=]/.exec(entry);
    const name = at === null ? '' : at[0].slice(0, -1);
    const address = at === null ? '' : entry.slice(at[0].length).replace(/^\[(.*)\]$/, '$1');
    if (address === 'host-gateway') {
      throw new InvalidParameterError(`--add-host ${name}:host-gateway is not supported by minidockerd: a container reaches the host only through published ports, or with --network host`);
    }
    if (name === '' || net.isIP(address) === 0) throw new InvalidParameterError(`bad format for add-host: "${entry}"`);
    return { address, names: [name] };
  });
}

/** Where a container's network files are: in its directory. */
export function networkFilePaths(dir: string): { hosts: string; resolvConf: string; hostname: string } {
  return { hosts: path.join(dir, 'hosts'), resolvConf: path.join(dir, 'resolv.conf'), hostname: path.join(dir, 'hostname') };
}

/** The host's resolv.conf: systemd-resolved's upstream one when /etc/resolv.conf names only its stub (127.0.0.53), as docker reads it. */
export function hostResolvConf(): string {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  const etc = read('/etc/resolv.conf');
  const servers = [...etc.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]);
  if (servers.length > 0 && servers.every((s) => s === '127.0.0.53')) return read('/run/systemd/resolve/resolv.conf') || etc;
  return etc;
}

/** What a container's network files are made from. */
export interface NetworkFilesInput {
  hostname: string;
  extraHosts: HostEntry[];
  dns: string[];
  dnsSearch: string[];
  dnsOptions: string[];
  hostNetwork: boolean;
  /** The names of the other containers on its user-defined network. */
  peers: string[][];
}

/**
 * Writes a container's hosts, resolv.conf and hostname in its directory. They
 * are written in place, not renamed over: a running container has them
 * bind-mounted, and a bind mount of a file keeps the file it was made with.
 */
export async function writeNetworkFiles(dir: string, input: NetworkFilesInput): Promise<void> {
  const files = networkFilePaths(dir);
  const hosts = input.hostNetwork
    ? `${readHostFile('/etc/hosts')}${input.extraHosts.map((e) => `${e.address}\t${e.names.join(' ')}\n`).join('')}`
    : hostsFile({ hostname: input.hostname, extraHosts: input.extraHosts, peers: input.peers });
  await fs.writeFile(files.hosts, hosts, { mode: 0o644 });
  await fs.writeFile(files.resolvConf, resolvConf(hostResolvConf(), { dns: input.dns, search: input.dnsSearch, options: input.dnsOptions, hostNetwork: input.hostNetwork }), { mode: 0o644 });
  await fs.writeFile(files.hostname, `${input.hostname}\n`, { mode: 0o644 });
}

function readHostFile(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch {
    return '';
  }
}

/** The destinations of the network files in a container. */
const NETWORK_FILE_DESTINATIONS = ['/etc/resolv.conf', '/etc/hostname', '/etc/hosts'];

/**
 * Points a container's bundle (config.json), at each start, at what it
 * mounts of its own: its binds, volumes and tmpfs (`userMounts`, lesson 15,
 * in place of those of an earlier start) and its network files, bind-mounted
 * (read-only with `--read-only`, as docker does) unless one of its own mounts
 * is there; and at the network namespace it joins: `namespaces` for a
 * user-defined network, undefined for a namespace of its own (or the
 * host's, which has no network entry at all). Written atomically: runc
 * reads it at each start.
 */
export async function pointBundle(bundle: string, options: { networkFiles?: string; namespaces?: { net: string; user?: string }; readonly: boolean; userMounts: Mount[] }): Promise<void> {
  const { networkFiles: dir, namespaces, readonly, userMounts } = options;
  const file = path.join(bundle, 'config.json');
  const spec = JSON.parse(await fs.readFile(file, 'utf8')) as Spec;
  const own = new Set(userMounts.map((m) => m.destination));
  const mounts: Mount[] = (spec.mounts ?? []).filter((m) => !NETWORK_FILE_DESTINATIONS.includes(m.destination) && !own.has(m.destination));
  // The same destinations at every start (a container's mounts are fixed at create): an earlier start's are replaced.
  mounts.push(...userMounts);
  if (dir !== undefined) {
    const files = networkFilePaths(dir);
    const sources = { '/etc/resolv.conf': files.resolvConf, '/etc/hostname': files.hostname, '/etc/hosts': files.hosts };
    for (const destination of NETWORK_FILE_DESTINATIONS) {
      if (own.has(destination)) continue; // the user's own file wins, as in docker
      mounts.push({ destination, type: 'bind', source: sources[destination as keyof typeof sources], options: ['rbind', 'rprivate', ...(readonly ? ['ro'] : [])] });
    }
  }
  spec.mounts = mounts;
  const linux = spec.linux ?? {};
  const joined = (ns: LinuxNamespace): LinuxNamespace => {
    if (ns.type === 'network') return namespaces === undefined ? { type: 'network' } : { type: 'network', path: namespaces.net };
    if (ns.type === 'user') return namespaces?.user === undefined ? { type: 'user' } : { type: 'user', path: namespaces.user };
    return ns;
  };
  linux.namespaces = (linux.namespaces ?? []).map(joined);
  spec.linux = linux;
  await writeFileAtomic(file, `${JSON.stringify(spec, null, 2)}\n`);
}

/** Random 64 hex digits: an endpoint's id while its container runs. */
export function newEndpointId(): string {
  return randomBytes(32).toString('hex');
}

/** A missing network at start: docker's words. */
export function networkGone(name: string): NotFoundError {
  return new NotFoundError(`network ${name} not found`);
}
