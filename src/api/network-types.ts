/**
 * Provided: the wire types of docker's networks endpoints (lesson 14), shared
 * by the client, the CLI and the daemon, as api/types.ts holds the others.
 *
 * ```
 * GET    /networks[?filters=]            → 200 NetworkInspect[]
 * GET    /networks/{id}                  → 200 NetworkInspect
 * POST   /networks/create                NetworkCreateRequest     → 201 NetworkCreateResponse
 * DELETE /networks/{id}                  → 204
 * POST   /networks/{id}/connect          NetworkConnectRequest    → 200
 * POST   /networks/{id}/disconnect       NetworkDisconnectRequest → 200
 * POST   /networks/prune[?filters=]      → 200 NetworkPruneResponse
 * ```
 * Field names are docker's on the wire (API 1.41: `network.Inspect`,
 * `network.CreateRequest`, `network.EndpointSettings`); only the fields the
 * workshop reads or writes are listed, and a daemon may send more.
 */

/**
 * Filters as the CLI collects them (`--filter name=web --filter label=a=b`):
 * each key with its values. On the wire they travel as JSON
 * `{"name":{"web":true},"label":{"a=b":true}}` (see `encodeFilters` in client/networks.ts).
 */
export type Filters = Record<string, string[]>;

/** One address range of a network (`IPAM.Config[]`). */
export interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** How a network hands out addresses. */
export interface Ipam {
  /** `default` unless `--ipam-driver`. */
  Driver: string;
  Options?: Record<string, string> | null;
  Config: IpamConfig[] | null;
}

/** One container attached to a network, as `GET /networks/{id}` lists it under `Containers`. */
export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** `GET /networks/{id}`, and each entry of `GET /networks`. */
export interface NetworkInspect {
  Name: string;
  /** 64 hex digits; `network ls` shows the first 12. */
  Id: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  /** `local` on a single daemon. */
  Scope: string;
  /** `bridge`, `host` or `null` (the `none` network). */
  Driver: string;
  EnableIPv6: boolean;
  IPAM: Ipam;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  /** The attached containers by id; `{}` in a list (docker fills it only for inspect). */
  Containers: Record<string, NetworkContainer>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** Body of `POST /networks/create`, as the docker CLI sends it. */
export interface NetworkCreateRequest {
  Name: string;
  /** Refuse a name in use (docker sends true below API 1.44, where it is always on). */
  CheckDuplicate?: boolean;
  /** `-d`: `bridge` unless given. */
  Driver?: string;
  Scope?: string;
  /** `--internal`: no route out of the network. */
  Internal?: boolean;
  /** `--attachable`: swarm-only in docker; stored and shown. */
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  IPAM?: Ipam;
  /** `-o key=value`: driver options. */
  Options?: Record<string, string>;
  /** `--label key=value`. */
  Labels?: Record<string, string>;
}

/** Reply of `POST /networks/create`. */
export interface NetworkCreateResponse {
  Id: string;
  /** '' when there is nothing to warn about. */
  Warning: string;
}

/**
 * A container's settings on one network: in `NetworkingConfig.EndpointsConfig`
 * of a create, in a connect, and in inspect's `NetworkSettings.Networks`.
 */
export interface EndpointSettings {
  /** `--network-alias` (run) or `--alias` (network connect): more names the container answers to on this network. */
  Aliases?: string[] | null;
  Links?: string[] | null;
  NetworkID?: string;
  EndpointID?: string;
  Gateway?: string;
  IPAddress?: string;
  IPPrefixLen?: number;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
  /** API 1.45+: every name the container resolves by on this network. */
  DNSNames?: string[] | null;
}

/** `NetworkingConfig` of `POST /containers/create`: the container's settings per network, by network name. */
export interface NetworkingConfig {
  EndpointsConfig: Record<string, EndpointSettings>;
}

/** Body of `POST /networks/{id}/connect`. */
export interface NetworkConnectRequest {
  /** A container id, id prefix or name. */
  Container: string;
  EndpointConfig?: EndpointSettings;
}

/** Body of `POST /networks/{id}/disconnect`. */
export interface NetworkDisconnectRequest {
  /** A container id, id prefix or name. */
  Container: string;
  /** `-f`: disconnect even when the daemon would refuse. */
  Force?: boolean;
}

/** Reply of `POST /networks/prune`. */
export interface NetworkPruneResponse {
  /** The names of the networks removed; null when none were. */
  NetworksDeleted: string[] | null;
}
