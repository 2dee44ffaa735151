/**
 * Provided: what `GET /networks` and `GET /networks/{id}` answer, made from
 * a network record and the containers on it, with docker's list filters;
 * and the names a container is known by on its network.
 */
import { InvalidParameterError } from '../../errdefs.js';
import type { ContainerRecord } from '../containers/container-store.js';
import { hasLabel, parseFilterQuery } from '../server/filters.js';
import { LOOPBACK_ADDRESS } from './network-files.js';
import { isBuiltin } from './network-attachment.js';
import type { NetworkRecord } from './network-store.js';

/** The filters `GET /networks?filters=` understands (docker's), each a list of wanted values. */
export const NETWORK_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'] as const;

/** Parsed `?filters=` of the networks list and prune. */
export type NetworkFilters = Partial<Record<(typeof NETWORK_FILTERS)[number] | 'until', string[]>>;

/** One entry of inspect's `Containers`: a running container on the network. */
export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** The containers whose record puts them on network `id` (running or not). */
export function membersOf(id: string, containers: readonly ContainerRecord[]): ContainerRecord[] {
  return containers.filter((c) => Object.values(c.NetworkSettings?.Networks ?? {}).some((e) => e.NetworkID === id));
}

/**
 * The names a container answers to on its user-defined network, as docker's
 * DNSNames: its name, its aliases, its short id and its hostname.
 */
export function dnsNamesOf(record: ContainerRecord, networkId: string): string[] {
  const endpoint = Object.values(record.NetworkSettings?.Networks ?? {}).find((e) => e.NetworkID === networkId);
  return [...new Set([record.Name.replace(/^\//, ''), ...(endpoint?.Aliases ?? []), record.Id.slice(0, 12), record.Config.Hostname].filter(Boolean))];
}

/**
 * `GET /networks/{id}`: the record's docker fields and the running containers
 * on it (on a user-defined network all of them are at 127.0.0.1 in one namespace;
 * on bridge each has its own loopback, so no address is given).
 */
export function toNetworkInspect(record: NetworkRecord, containers: readonly ContainerRecord[]): Record<string, unknown> {
  const running: Record<string, NetworkContainer> = {};
  if (record.Name !== 'host') {
    for (const c of membersOf(record.Id, containers)) {
      if (!c.State.Running) continue;
      const endpoint = Object.values(c.NetworkSettings?.Networks ?? {}).find((e) => e.NetworkID === record.Id);
      running[c.Id] = {
        Name: c.Name.replace(/^\//, ''),
        EndpointID: endpoint?.EndpointID ?? '',
        MacAddress: '',
        IPv4Address: isBuiltin(record) ? '' : `${LOOPBACK_ADDRESS}/8`,
        IPv6Address: '',
      };
    }
  }
  return inDockerOrder(record, running);
}

/** One entry of `GET /networks`: as inspect, with `Containers` empty, as docker lists them. */
export function toNetworkSummary(record: NetworkRecord): Record<string, unknown> {
  return inDockerOrder(record, {});
}

// docker's field order (clients that print the JSON show it so), without the holder, which is ours.
function inDockerOrder(record: NetworkRecord, containers: Record<string, NetworkContainer>): Record<string, unknown> {
  const { Name, Id, Created, Scope, Driver, EnableIPv4, EnableIPv6, IPAM, Internal, Attachable, Ingress, ConfigFrom, ConfigOnly, Options, Labels } = record;
  return { Name, Id, Created, Scope, Driver, EnableIPv4, EnableIPv6, IPAM, Internal, Attachable, Ingress, ConfigFrom, ConfigOnly, Containers: containers, Options, Labels };
}

/**
 * Parses `?filters=` of the networks list (and prune, with `until`).
 * @throws InvalidParameterError `invalid filter '<key>'` for a filter docker does not have, or bad JSON.
 */
export function parseNetworkFilters(text: string | undefined, allowed: readonly string[] = NETWORK_FILTERS): NetworkFilters {
  return parseFilterQuery(text, allowed);
}

/**
 * Whether a network passes every filter, docker's way: `name` and `id` match
 * a part, `driver` and `scope` exactly, `type` is `custom` or `builtin`,
 * `dangling=true` keeps networks no container is on (user-defined ones), and
 * every `label` must match (`key`, or `key=value`).
 * @throws InvalidParameterError for a `type` or `dangling` value docker refuses.
 */
export function matchesNetworkFilters(record: NetworkRecord, filters: NetworkFilters, members: number): boolean {
  if (filters.name?.length && !filters.name.some((n) => record.Name.includes(n))) return false;
  if (filters.id?.length && !filters.id.some((id) => record.Id.includes(id))) return false;
  if (filters.driver?.length && !filters.driver.includes(record.Driver)) return false;
  if (filters.scope?.length && !filters.scope.includes(record.Scope)) return false;
  for (const type of filters.type ?? []) {
    if (type !== 'custom' && type !== 'builtin') throw new InvalidParameterError(`invalid filter: 'type'='${type}'`);
  }
  if (filters.type?.length && !filters.type.includes(isBuiltin(record) ? 'builtin' : 'custom')) return false;
  for (const value of filters.dangling ?? []) {
    if (!['true', 'false', '1', '0'].includes(value)) throw new InvalidParameterError(`invalid filter 'dangling=${value}'`);
    const dangling = !isBuiltin(record) && members === 0;
    if (dangling !== (value === 'true' || value === '1')) return false;
  }
  return (filters.label ?? []).every((label) => hasLabel(record.Labels, label));
}
