/**
 * Provided: `minidocker run`'s port and network flags, read as the docker CLI
 * 28 reads them (cli/command/container/opts.go, go-connections' nat package),
 * with its error messages. Parsing port syntax teaches nothing about
 * namespaces; lesson 14's daemon side is where publishing is learnt.
 *
 * ```
 * -p 127.0.0.1:8080:80   ─▶ ExposedPorts {"80/tcp":{}}  PortBindings {"80/tcp":[{HostIp:"127.0.0.1",HostPort:"8080"}]}
 * -p 80/udp              ─▶ PortBindings {"80/udp":[{HostIp:"",HostPort:""}]}     (the daemon chooses)
 * -p 8000-8001:80-81     ─▶ 80/tcp → 8000, 81/tcp → 8001;  -p [::1]:8080:80 ─▶ HostIp "::1"
 * -P --expose 90-91      ─▶ PublishAllPorts true, ExposedPorts {"90/tcp":{},"91/tcp":{}}
 * --network app --network-alias db ─▶ NetworkMode "app", NetworkingConfig.EndpointsConfig.app {Aliases:["db"]}
 * --add-host h=[::1] --dns 1.1.1.1 --dns-search x.org --dns-option ndots:2 -h web
 *                        ─▶ ExtraHosts ["h:::1"], Dns, DnsSearch, DnsOptions, Hostname "web"
 * ```
 */
import net from 'node:net';
import { InvalidArgumentError } from 'commander';
import type { NetworkingConfig } from '../api/network-types.js';
import type { ContainerCreateRequest, HostConfig } from '../api/types.js';

/** The port and network flags of `run`, as commander hands them over (repeatable ones collected). */
export interface NetworkFlags {
  /** `-p`: `[ip:][hostPort:]containerPort[/proto]`, ranges, or `target=80,published=8080,protocol=udp`. */
  publish?: string[];
  /** `-P`. */
  publishAll?: boolean;
  /** `--expose port[/proto]` or a range `8000-8010/udp`. */
  expose?: string[];
  /** `--network` (and its alias `--net`): a network's name, `none`, `host`, `bridge` or `default`. */
  network?: string[];
  net?: string[];
  /** `--network-alias`: names on the first network, which must be user-defined. */
  networkAlias?: string[];
  /** `--add-host name:ip` (or `name=ip`, `name=[::1]`). */
  addHost?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  /** `-h`: the container's hostname. */
  hostname?: string;
}

/** What the flags add to a create body: merge it in with {@link withNetworking}. */
export interface NetworkingRequest {
  Hostname?: string;
  ExposedPorts?: Record<string, object>;
  HostConfig: Pick<HostConfig, 'NetworkMode' | 'PortBindings' | 'PublishAllPorts' | 'ExtraHosts' | 'Dns' | 'DnsSearch' | 'DnsOptions'>;
  NetworkingConfig?: NetworkingConfig;
}

/** One `-p` mapping: a container port (`"80/tcp"`) and where on the host it is published. */
export interface PortMapping {
  port: string;
  /** '' for HostIp or HostPort leaves the choice to the daemon, as docker sends it. */
  binding: { HostIp: string; HostPort: string };
}

/**
 * The create body's network part for the flags. Only what a flag gave is
 * set, so a `run` without these flags sends the body lesson 02 built.
 * @throws InvalidArgumentError in docker's words: `invalid containerPort: x`,
 *   `invalid proto: sctpx`, `bad format for add-host: "h"`, … (run exits 125).
 */
export function networkingOf(flags: NetworkFlags): NetworkingRequest {
  try {
    const mappings = standardNotation(flags.publish ?? []).flatMap(parsePortSpec);
    const exposed: Record<string, object> = {};
    const bindings: NonNullable<HostConfig['PortBindings']> = {};
    for (const { port, binding } of mappings) {
      exposed[port] = {};
      (bindings[port] ??= []).push(binding);
    }
    for (const port of (flags.expose ?? []).flatMap(exposedPorts)) exposed[port] = {};
    const networks = [...(flags.network ?? []), ...(flags.net ?? [])];
    const endpoints = endpointsOf(networks, flags.networkAlias ?? []);
    const host: NetworkingRequest['HostConfig'] = {};
    if (networks[0] !== undefined) host.NetworkMode = networks[0];
    if (mappings.length > 0) host.PortBindings = bindings;
    if (flags.publishAll) host.PublishAllPorts = true;
    if (flags.addHost?.length) host.ExtraHosts = flags.addHost.map(validateExtraHost);
    if (flags.dns?.length) host.Dns = flags.dns.map((ip) => validateIp(ip, '--dns'));
    if (flags.dnsSearch?.length) host.DnsSearch = flags.dnsSearch.map(validateDnsSearch);
    if (flags.dnsOption?.length) host.DnsOptions = [...flags.dnsOption];
    return {
      ...(flags.hostname !== undefined ? { Hostname: flags.hostname } : {}),
      ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
      HostConfig: host,
      ...(Object.keys(endpoints).length > 0 ? { NetworkingConfig: { EndpointsConfig: endpoints } } : {}),
    };
  } catch (err) {
    throw err instanceof InvalidArgumentError ? err : new InvalidArgumentError((err as Error).message);
  }
}

/**
 * The create body with the flags' part merged in: `HostConfig` field by field
 * (the flags win), the rest at the top level. Without `networking`, `body` as it is.
 */
export function withNetworking(body: ContainerCreateRequest, networking: NetworkingRequest | undefined): ContainerCreateRequest {
  if (networking === undefined) return body;
  const { HostConfig: host, ...config } = networking;
  return { ...body, ...config, HostConfig: { ...body.HostConfig, ...host } };
}

/**
 * One `-p` value as go-connections' `nat.ParsePortSpec` reads it: a container
 * port or range, an optional host port or range (as many ports, or one
 * container port and a host range to choose from), an optional host IP
 * (`[…]` for IPv6), and `tcp`, `udp` or `sctp`.
 * @throws Error with docker's message, checked in docker's order.
 */
export function parsePortSpec(raw: string): PortMapping[] {
  let [ip, hostPort, containerPort] = splitParts(raw);
  const [proto, port] = splitProtoPort(containerPort);
  containerPort = port;
  if (ip.startsWith('[')) ip = unbracket(ip);
  if (ip !== '' && net.isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
  const [start, end] = attempt(() => parsePortRange(containerPort), `invalid containerPort: ${containerPort}`);
  const [hostStart, hostEnd] = hostPort === '' ? [0, 0] : attempt(() => parsePortRange(hostPort), `invalid hostPort: ${hostPort}`);
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
  const mappings: PortMapping[] = [];
  for (let i = 0; i <= end - start; i++) {
    let published = hostPort === '' ? '' : String(hostStart + i);
    // One container port and a host range: the daemon picks a free port in it.
    if (start === end && hostStart !== hostEnd) published = `${hostStart}-${hostEnd}`;
    mappings.push({ port: `${start + i}/${proto.toLowerCase()}`, binding: { HostIp: ip, HostPort: published } });
  }
  return mappings;
}

/**
 * A port or a range as nat.ParsePortRange reads it: `80` → [80, 80], `8000-8010` → [8000, 8010].
 * @throws Error in Go's words: `strconv.ParseUint: parsing "x": invalid syntax`, `… value out of range`,
 *   `empty string specified for ports`, `invalid range specified for port: 90-80`.
 */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new Error('empty string specified for ports');
  if (!ports.includes('-')) {
    const port = parseUint16(ports);
    return [port, port];
  }
  const [first = '', second = ''] = ports.split('-');
  const start = parseUint16(first);
  const end = parseUint16(second);
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

// Go's strconv.ParseUint(s, 10, 16), with its messages.
function parseUint16(text: string): number {
  if (!/^[0-9]+$/.test(text)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  const value = Number(text);
  if (value > 65535) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`);
  return value;
}

function attempt<T>(parse: () => T, message: string): T {
  try {
    return parse();
  } catch {
    throw new Error(message);
  }
}

// ip:hostPort:containerPort, where only the last two colons separate (an IPv6 address keeps the rest).
function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', parts[0] ?? ''];
  if (n === 2) return ['', parts[0] ?? '', parts[1] ?? ''];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2] ?? '', parts[n - 1] ?? ''];
}

// "80/udp" → [udp, 80]; no protocol is tcp; no port is ['', ''] (nat.SplitProtoPort).
function splitProtoPort(raw: string): [string, string] {
  const [port = '', proto = ''] = raw.split('/');
  if (port === '') return ['', ''];
  return [proto === '' ? 'tcp' : proto, port];
}

// "[::1]" → "::1", failing as Go's net.SplitHostPort(ip + ":") does.
function unbracket(ip: string): string {
  const close = ip.indexOf(']');
  if (close < 0) throw new Error(`invalid IP address ${ip}: address ${ip}:: missing ']' in address`);
  if (close !== ip.length - 1) throw new Error(`invalid IP address ${ip}: address ${ip}:: missing port in address`);
  return ip.slice(1, close);
}

// The long syntax `target=80,published=8080,protocol=udp` rewritten as `8080:80/udp`.
function standardNotation(publish: string[]): string[] {
  return publish.map((value) => {
    if (!value.includes('=')) return value;
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const param of value.split(',')) {
      const eq = param.indexOf('=');
      if (eq <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
      params[param.slice(0, eq)] = param.slice(eq + 1);
    }
    return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
  });
}

// --expose 90-91/udp → ["90/udp", "91/udp"]; the protocol is the daemon's to check, as docker leaves it.
function exposedPorts(value: string): string[] {
  if (value.includes(':')) throw new Error(`invalid port format for --expose: ${value}`);
  const [proto, port] = splitProtoPort(value);
  let range: [number, number];
  try {
    range = parsePortRange(port);
  } catch (err) {
    throw new Error(`invalid range format for --expose: ${value}, error: ${(err as Error).message}`);
  }
  return Array.from({ length: range[1] - range[0] + 1 }, (_, i) => `${range[0] + i}/${proto}`);
}

// docker's parseNetworkOpts: aliases go on the first network, which must be user-defined; a lone
// network without settings gets no endpoint (the daemon makes it).
function endpointsOf(networks: string[], aliases: string[]): NetworkingConfig['EndpointsConfig'] {
  if (aliases.length > 0 && !isUserDefined(networks[0] ?? 'default')) {
    throw new Error('network-scoped aliases are only supported for user-defined networks');
  }
  const endpoints: NetworkingConfig['EndpointsConfig'] = {};
  networks.forEach((name, i) => {
    if (Object.hasOwn(endpoints, name)) throw new Error(`network "${name}" is specified multiple times`);
    if (i === 0 && aliases.length > 0) endpoints[name] = { Aliases: [...aliases] };
    else if (networks.length > 1) endpoints[name] = {};
  });
  if (networks.some(isUserDefined) && !networks.every(isUserDefined)) {
    throw new Error('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  }
  return endpoints;
}

function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

// opts.ValidateExtraHost: name=ip or name:ip (split at the first), an IP in brackets allowed, sent as name:ip.
function validateExtraHost(value: string): string {
  const sep = value.includes('=') ? '=' : ':';
  const cut = value.indexOf(sep);
  const name = cut < 0 ? '' : value.slice(0, cut);
  let ip = value.slice(cut + 1);
  if (cut < 0 || name === '' || name.includes(':')) throw flagError(value, '--add-host', `bad format for add-host: ${JSON.stringify(value)}`);
  if (ip !== 'host-gateway') {
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (net.isIP(ip.trim()) === 0) throw flagError(value, '--add-host', `invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
  return `${name}:${ip}`;
}

function validateIp(value: string, flag: string): string {
  if (net.isIP(value.trim()) === 0) throw flagError(value, flag, `IP address is not correctly formatted: ${value}`);
  return value.trim();
}

// opts.ValidateDNSSearch: "." or a domain name (with at least one letter), under 255 characters.
function validateDnsSearch(value: string): string {
  const domain = value.replace(/^ +| +$/g, '');
  if (domain === '.') return domain;
  const label = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
  const match = new RegExp(`^(${label}(?:\\.${label})*)\\.?\\s*$`).exec(domain);
  if (!/[a-zA-Z]/.test(domain) || !match || (match[1] ?? '').length >= 255) {
    throw flagError(value, '--dns-search', `${domain} is not a valid domain`);
  }
  return match[1] ?? domain;
}

// pflag's wording for a value its validator refused.
function flagError(value: string, flag: string, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid argument ${JSON.stringify(value)} for "${flag}" flag: ${reason}`);
}
