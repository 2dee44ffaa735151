/**
 * The three files docker gives every container, whatever its image holds:
 * `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname`. They are written in
 * the container's directory and bind-mounted over the image's (the mounts
 * are in network-attachment.ts), so a container that has no /etc at all
 * still resolves `localhost` and its own name.
 *
 * ```
 * <container dir>/
 * ├── hostname      "<Config.Hostname>\n"
 * ├── hosts         127.0.0.1 localhost …, ExtraHosts (--add-host), the container's name, the names on its network
 * └── resolv.conf   the host's, without nameservers on loopback (the container's loopback is its own); --dns, --dns-search, --dns-option replace
 * ```
 */

/** A name and the address it resolves to, as `--add-host name:ip` gives it. */
export interface HostEntry {
  address: string;
  names: string[];
}

/** What /etc/hosts holds beyond the defaults. */
export interface HostsOptions {
  /** The container's hostname (Config.Hostname): it resolves to the container's own loopback. */
  hostname: string;
  /** `--add-host` entries, in the order given. */
  extraHosts: HostEntry[];
  /** The other containers on its user-defined network: their names, aliases and short ids, all on the shared 127.0.0.1. */
  peers: string[][];
}

/** What /etc/resolv.conf is made from. */
export interface ResolvConfOptions {
  /** `--dns`: replaces the host's nameservers. */
  dns: string[];
  /** `--dns-search`: replaces the host's search domains. */
  search: string[];
  /** `--dns-option`: replaces the host's options. */
  options: string[];
  /** `--network host`: the host's loopback is the container's, so its nameservers stay. */
  hostNetwork: boolean;
}

/** The address every container name resolves to here: all of a network's containers share one loopback. */
export const LOOPBACK_ADDRESS = '127.0.0.1';

/**
 * The /etc/hosts of a container, in docker's format (address, a tab, names
 * separated by spaces): `127.0.0.1 localhost` and `::1 localhost
 * ip6-localhost ip6-loopback` first, then the `--add-host` entries, then the
 * container's own hostname, then one line per peer on its network, all on
 * 127.0.0.1. No IPv6 multicast lines: the namespace has no interface but lo.
 */
export function hostsFile(options: HostsOptions): string {
  const lines = [`${LOOPBACK_ADDRESS}\tlocalhost`, '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (const entry of options.extraHosts) lines.push(`${entry.address}\t${entry.names.join(' ')}`);
  lines.push(`${LOOPBACK_ADDRESS}\t${options.hostname}`);
  for (const names of options.peers) if (names.length > 0) lines.push(`${LOOPBACK_ADDRESS}\t${names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The /etc/resolv.conf of a container, docker's way, from the host's text:
 * `--dns`, `--dns-search` and `--dns-option` replace the host's
 * `nameserver`, `search` (and `domain`) and `options` lines when given.
 * The host's nameservers on loopback (127.0.0.0/8, ::1, e.g. systemd-resolved's
 * 127.0.0.53) are dropped unless the container uses the host's network: in
 * its own namespace, loopback is its own, and nothing answers there. Unlike
 * docker, no public resolver (8.8.8.8) is put in their place: this project
 * reaches no address outside loopback. Comments and other lines are kept.
 */
export function resolvConf(host: string, options: ResolvConfOptions): string {
  const out: string[] = [];
  for (const raw of host.split('\n')) {
    const line = raw.trim();
    const [keyword = '', ...values] = line.split(/\s+/);
    if (keyword === 'nameserver') {
      if (options.dns.length > 0) continue;
      if (!options.hostNetwork && isLoopbackAddress(values[0] ?? '')) continue;
    } else if (keyword === 'search' || keyword === 'domain') {
      if (options.search.length > 0) continue;
    } else if (keyword === 'options') {
      if (options.options.length > 0) continue;
    } else if (line === '') continue;
    out.push(line);
  }
  for (const server of options.dns) out.push(`nameserver ${server}`);
  if (options.search.length > 0) out.push(`search ${options.search.join(' ')}`);
  if (options.options.length > 0) out.push(`options ${options.options.join(' ')}`);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** Whether a nameserver address is on loopback: 127.0.0.0/8 or ::1 (a zone or port suffix aside). */
export function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address.startsWith('::1%');
}
