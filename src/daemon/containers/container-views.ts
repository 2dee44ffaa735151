/**
 * What `GET /containers/json` and `GET /containers/{id}/json` answer, made
 * from a record: docker's field names, its Status sentences ("Up 3 seconds",
 * "Exited (0) 5 seconds ago") and its list filters.
 */
import { InvalidParameterError } from '../../errdefs.js';
import type { ContainerSummary, PortSummary } from '../../api/types.js';
import { humanDuration } from '../../units.js';
import { NotImplementedError } from '../../errors.js';
import { ZERO_TIME } from './container-store.js';
import { defaultHostConfig } from './create-options.js';
import type { ContainerRecord } from './container-store.js';
import type { EndpointRecord } from '../network/network-attachment.js';
import { LOOPBACK_ADDRESS } from '../network/network-files.js';
import { dnsNamesOf } from '../network/network-views.js';

/** The filters `GET /containers/json?filters=` understands, each a list of wanted values. */
export interface ContainerFilters {
  status?: string[];
  label?: string[];
  name?: string[];
  id?: string[];
}

/** The list's Status column: `Created`, `Up 3 seconds`, `Exited (0) 5 seconds ago`, `Removal In Progress`. */
export function statusText(record: ContainerRecord, now: number = Date.now()): string {
  // TODO(lesson-12): Return the Status sentence for the record's state.
  // HINT: running: `Up ${humanDuration(now - StartedAt)}`; exited: `Exited (${ExitCode}) ${…FinishedAt} ago`;
  // HINT: created (or exited without a FinishedAt): `Created`; removing: `Removal In Progress`.
  throw new NotImplementedError('lesson-12: statusText');
}

/**
 * Provided: the list's Status column as `docker ps` shows it — {@link statusText}
 * with what lesson 13 adds: a paused container reads `Up 3 seconds (Paused)`,
 * one with a health check `Up 3 seconds (healthy)`, `(unhealthy)` or `(health: starting)`.
 */
export function statusColumn(record: ContainerRecord, now: number = Date.now()): string {
  if (record.State.Status === 'paused') return `${statusText({ ...record, State: { ...record.State, Status: 'running' } }, now)} (Paused)`;
  const text = statusText(record, now);
  const health = record.State.Status === 'running' ? record.State.Health?.Status : undefined;
  if (health === undefined) return text;
  return `${text} (${health === 'starting' ? 'health: starting' : health})`;
}

/** The command as the list shows it: path and arguments joined by spaces. */
export function commandLine(record: ContainerRecord): string {
  return [record.Path, ...record.Args].join(' ');
}

/**
 * Provided (lesson 14): inspect's `NetworkSettings.Ports`: every exposed port
 * (Config.ExposedPorts) as null, and the published ones with their host
 * address as bound: `{"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}], "443/tcp": null}`.
 */
export function inspectPorts(record: ContainerRecord): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of Object.keys(record.Config.ExposedPorts ?? {})) ports[key.includes('/') ? key : `${key}/tcp`] = null;
  return { ...ports, ...(record.NetworkSettings?.Ports ?? {}) };
}

/**
 * Provided (lesson 14): one of `NetworkSettings.Networks`, docker's
 * EndpointSettings. While the container runs it has an EndpointID, and on a
 * user-defined network the address every container there has, 127.0.0.1,
 * and its DNSNames; on bridge it has no address a client could reach.
 */
export function endpointView(record: ContainerRecord, endpoint: EndpointRecord, shared: boolean): Record<string, unknown> {
  const live = record.State.Running && endpoint.EndpointID !== undefined;
  return {
    IPAMConfig: null, Links: null, Aliases: endpoint.Aliases, MacAddress: '', DriverOpts: null, GwPriority: 0,
    NetworkID: endpoint.NetworkID, EndpointID: live ? endpoint.EndpointID : '', Gateway: '',
    IPAddress: live && shared ? LOOPBACK_ADDRESS : '', IPPrefixLen: live && shared ? 8 : 0,
    IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    DNSNames: shared ? dnsNamesOf(record, endpoint.NetworkID) : null,
  };
}

/** Provided (lesson 14): `NetworkSettings.Networks` of inspect and the list: the network the container is on. */
export function networksView(record: ContainerRecord): Record<string, Record<string, unknown>> {
  const networks: Record<string, Record<string, unknown>> = {};
  for (const [name, endpoint] of Object.entries(record.NetworkSettings?.Networks ?? {})) {
    networks[name] = endpointView(record, endpoint, !['bridge', 'host', 'none'].includes(name));
  }
  return networks;
}

/**
 * Provided (lesson 14): inspect's `NetworkSettings`, docker's fields: the
 * ports ({@link inspectPorts}), the networks ({@link networksView}), and
 * the namespace as `SandboxKey` while it runs (its process's, on the host).
 */
export function inspectNetworkSettings(record: ContainerRecord): Record<string, unknown> {
  const running = record.State.Running && record.State.Pid > 0;
  return {
    Bridge: '', SandboxID: '', SandboxKey: running && record.HostConfig.NetworkMode !== 'host' ? `/proc/${record.State.Pid}/ns/net` : '',
    Ports: inspectPorts(record), HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: '', Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', MacAddress: '', Networks: networksView(record),
  };
}

/**
 * Provided (lesson 15): inspect's and the list's `Mounts`, docker's
 * MountPoint fields in docker's order (`--tmpfs` mounts are not listed, as
 * docker does not list them); [] when it mounts nothing.
 */
export function mountsView(record: ContainerRecord): Record<string, unknown>[] {
  return (record.MountPoints ?? []).filter((m) => !m.FromTmpfsField).map((m) => ({
    Type: m.Type,
    ...(m.Type === 'volume' ? { Name: m.Name } : {}),
    Source: m.Source,
    Destination: m.Destination,
    ...(m.Type === 'volume' ? { Driver: m.Driver ?? 'local' } : {}),
    Mode: m.Mode,
    RW: m.RW,
    Propagation: m.Propagation,
  }));
}

/** Provided (lesson 14): the list's `Ports`: one `{IP, PrivatePort, PublicPort, Type}` per published port, `{PrivatePort, Type}` per exposed one that is not, by container port. */
export function summaryPorts(record: ContainerRecord): PortSummary[] {
  const ports: PortSummary[] = [];
  for (const [key, bindings] of Object.entries(inspectPorts(record))) {
    const [port = '0', type = 'tcp'] = key.split('/');
    // An exposed port nothing publishes is listed without a host side, as dockerd lists it (`docker ps`: 443/tcp).
    if (bindings === null) ports.push({ PrivatePort: Number(port), Type: type as PortSummary['Type'] });
    for (const b of bindings ?? []) ports.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type as PortSummary['Type'] });
  }
  return ports.sort((a, b) => a.PrivatePort - b.PrivatePort || a.Type.localeCompare(b.Type));
}

/** One entry of `GET /containers/json`. */
export function toSummary(record: ContainerRecord, now: number = Date.now()): ContainerSummary & Record<string, unknown> {
  // TODO(lesson-12): Build the list entry: Id, Names [Name], Image (as given), ImageID, Command, Created (unix seconds), State, Status, Ports [], Labels.
  // HINT: Status is statusColumn(record, now). dockerd adds HostConfig {NetworkMode}, NetworkSettings {Networks: networksView(record)} and Mounts (mountsView(record)): send them too.
  // HINT: lesson 14: Ports is summaryPorts(record) (the published ports), [] before.
  throw new NotImplementedError('lesson-12: toSummary');
}

/**
 * `GET /containers/{id}/json`: the record as docker shows it. HostConfig has
 * every field, docker's defaults under what the record holds (a record
 * written before a field existed lacks it); LogPath is '' for the none driver;
 * ExecIDs are the container's running execs (lesson 13), null for none.
 */
export function toInspect(record: ContainerRecord, logPath: string, runtime: string, execIds: string[] = []): Record<string, unknown> {
  // TODO(lesson-12): Build the inspect document from the record.
  // HINT: State gets Paused (Status is paused), Restarting and Dead (false) next to the record's fields; add LogPath, Platform "linux",
  // HINT: ExecIDs (execIds, or null when there are none),
  // HINT: Mounts mountsView(record) and NetworkSettings inspectNetworkSettings(record): never null (testcontainers reads them).
  // HINT: HostConfig: {...defaultHostConfig(runtime), ...record.HostConfig}; LogPath '' when LogConfig.Type is none.
  throw new NotImplementedError('lesson-12: toInspect');
}

/**
 * Parses `?filters=`: docker's JSON, either `{"status":["exited"]}` or the
 * older `{"status":{"exited":true}}`.
 * @throws InvalidParameterError for JSON that is neither.
 */
export function parseFilters(text: string | null): ContainerFilters {
  // TODO(lesson-12): Parse the filters JSON: each key maps to a list of values, or to an object whose keys are the values.
  // HINT: null or empty text: no filters; anything else: InvalidParameterError.
  throw new NotImplementedError('lesson-12: parseFilters');
}

/**
 * Whether a record passes every filter: within one filter any value may match
 * (status equal, name substring, id prefix), but every label must match
 * (`key` present, or `key=value` equal).
 */
export function matchesFilters(record: ContainerRecord, filters: ContainerFilters): boolean {
  // TODO(lesson-12): Apply status (equal), name (substring, without the "/"), id (prefix) and label (key, or key=value) filters.
  throw new NotImplementedError('lesson-12: matchesFilters');
}
