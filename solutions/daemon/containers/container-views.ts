/**
 * What `GET /containers/json` and `GET /containers/{id}/json` answer, made
 * from a record: docker's field names, its Status sentences ("Up 3 seconds",
 * "Exited (0) 5 seconds ago") and its list filters.
 */
import { InvalidParameterError } from '../../errdefs.js';
import type { ContainerSummary, PortSummary } from '../../api/types.js';
import { humanDuration } from '../../units.js';
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
  const { State } = record;
  switch (State.Status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(State.StartedAt))}`;
    case 'removing':
      return 'Removal In Progress';
    case 'exited':
      if (State.FinishedAt === ZERO_TIME) return 'Created';
      return `Exited (${State.ExitCode}) ${humanDuration(now - Date.parse(State.FinishedAt))} ago`;
    default:
      return 'Created';
  }
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
  return {
    Id: record.Id,
    Names: [record.Name],
    Image: record.Config.Image,
    ImageID: record.Image,
    Command: commandLine(record),
    Created: Math.floor(Date.parse(record.Created) / 1000),
    State: record.State.Status,
    Status: statusColumn(record, now),
    Ports: summaryPorts(record),
    Labels: record.Config.Labels,
    HostConfig: { NetworkMode: record.HostConfig.NetworkMode },
    NetworkSettings: { Networks: networksView(record) },
    Mounts: mountsView(record),
  };
}

/**
 * `GET /containers/{id}/json`: the record as docker shows it. HostConfig has
 * every field, docker's defaults under what the record holds (a record
 * written before a field existed lacks it); LogPath is '' for the none driver;
 * ExecIDs are the container's running execs (lesson 13), null for none.
 */
export function toInspect(record: ContainerRecord, logPath: string, runtime: string, execIds: string[] = []): Record<string, unknown> {
  const hostConfig = { ...defaultHostConfig(runtime), ...record.HostConfig };
  return {
    Id: record.Id,
    Created: record.Created,
    Path: record.Path,
    Args: record.Args,
    State: { ...record.State, Paused: record.State.Status === 'paused', Restarting: false, Dead: false },
    Image: record.Image,
    LogPath: hostConfig.LogConfig.Type === 'none' ? '' : logPath,
    Name: record.Name,
    ExecIDs: execIds.length > 0 ? execIds : null,
    RestartCount: record.RestartCount,
    Driver: record.Driver,
    Platform: 'linux',
    Mounts: mountsView(record),
    Config: record.Config,
    HostConfig: hostConfig,
    NetworkSettings: inspectNetworkSettings(record),
  };
}

/**
 * Parses `?filters=`: docker's JSON, either `{"status":["exited"]}` or the
 * older `{"status":{"exited":true}}`.
 * @throws InvalidParameterError for JSON that is neither.
 */
export function parseFilters(text: string | null): ContainerFilters {
  if (text === null || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidParameterError(`invalid filter '${text}'`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidParameterError(`invalid filter '${text}'`);
  const filters: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) filters[key] = value.map(String);
    else if (typeof value === 'object' && value !== null) filters[key] = Object.keys(value);
    else throw new InvalidParameterError(`invalid filter '${key}'`);
  }
  return filters;
}

/**
 * Whether a record passes every filter: within one filter any value may match
 * (status equal, name substring, id prefix), but every label must match
 * (`key` present, or `key=value` equal).
 */
export function matchesFilters(record: ContainerRecord, filters: ContainerFilters): boolean {
  if (filters.status?.length && !filters.status.includes(record.State.Status)) return false;
  if (filters.name?.length && !filters.name.some((n) => record.Name.slice(1).includes(n.replace(/^\//, '')))) return false;
  if (filters.id?.length && !filters.id.some((id) => record.Id.startsWith(id))) return false;
  for (const label of filters.label ?? []) {
    const eq = label.indexOf('=');
    const key = eq < 0 ? label : label.slice(0, eq);
    if (!(key in record.Config.Labels)) return false;
    if (eq >= 0 && record.Config.Labels[key] !== label.slice(eq + 1)) return false;
  }
  return true;
}
