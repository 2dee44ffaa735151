/**
 * Provided: the declared types of the networks API's requests, checked by
 * `validated` (server/validate.ts) before a handler runs, with Go's types.
 *
 * ```
 * GET    /networks?filters=                 filters: JSON, read by parseNetworkFilters (network-views.ts)
 * GET    /networks/{id}?verbose=&scope=
 * POST   /networks/create                   body: NetworkCreateBody ({"Name": …} required)
 * POST   /networks/{id}/connect             body: NetworkConnectBody ({"Container": …} required)
 * POST   /networks/{id}/disconnect          body: NetworkDisconnectBody
 * DELETE /networks/{id}
 * POST   /networks/prune?filters=
 * ```
 */
import * as v from 'valibot';
import { bool, optional, qBool, qString, str, stringMap, strings, struct } from '../server/validate.js';

/** An `IPAM.Config[]` entry: addresses a network here never has (refused by checkNetworkCreate). */
const ipamConfig = struct({ Subnet: str, IPRange: str, Gateway: str, AuxiliaryAddresses: stringMap });

/** `POST /networks/create`: docker's `network.CreateRequest`. */
export const networkCreateBody = struct({
  Name: v.string('type:string'),
  CheckDuplicate: bool,
  Driver: str,
  Scope: str,
  EnableIPv4: bool,
  EnableIPv6: bool,
  IPAM: optional(struct({ Driver: str, Config: optional(v.array(ipamConfig, 'type:[]network.IPAMConfig')), Options: stringMap })),
  Internal: bool,
  Attachable: bool,
  Ingress: bool,
  ConfigOnly: bool,
  ConfigFrom: optional(struct({ Network: str })),
  Options: stringMap,
  Labels: stringMap,
});

/** The typed create body. */
export type NetworkCreateBody = v.InferOutput<typeof networkCreateBody>;

/** An endpoint's settings: Aliases is what a network here can honour; the rest is refused when set. */
const endpointConfig = optional(
  struct({ Aliases: strings, Links: strings, IPAMConfig: optional(v.record(v.string(), v.unknown())), MacAddress: str, DriverOpts: stringMap, IPAddress: str, DNSNames: strings }),
);

/** `POST /networks/{id}/connect`. */
export const networkConnectBody = struct({ Container: v.string('type:string'), EndpointConfig: endpointConfig });

/** The typed connect body. */
export type NetworkConnectBody = v.InferOutput<typeof networkConnectBody>;

/** `POST /networks/{id}/disconnect`. */
export const networkDisconnectBody = struct({ Container: v.string('type:string'), Force: bool });

/** The typed disconnect body. */
export type NetworkDisconnectBody = v.InferOutput<typeof networkDisconnectBody>;

/** `GET /networks?filters=` and `POST /networks/prune?filters=`. */
export const networkFiltersQuery = v.looseObject({ filters: qString });

/** The typed filters query. */
export type NetworkFiltersQuery = v.InferOutput<typeof networkFiltersQuery>;

/** `GET /networks/{id}?verbose=&scope=`: verbose adds swarm details docker has and this daemon does not; scope is local or nothing. */
export const networkInspectQuery = v.looseObject({ verbose: qBool, scope: qString });

/** The typed inspect query. */
export type NetworkInspectQuery = v.InferOutput<typeof networkInspectQuery>;
