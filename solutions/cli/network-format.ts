/**
 * Provided: how the docker CLI prints published ports (the PORTS column of
 * `ps`, `port`) and orders names (`port`, `network ls`). Lesson 02's `ps`
 * calls {@link displayablePorts}; the format teaches nothing about ports.
 *
 * ```
 * [{IP:"127.0.0.1",PrivatePort:80,PublicPort:49153,Type:"tcp"}, {PrivatePort:443,Type:"tcp"}]
 *   ─▶ "443/tcp, 127.0.0.1:49153->80/tcp"
 * [8000→8000, 8001→8001 on 127.0.0.1]  ─▶ "127.0.0.1:8000-8001->8000-8001/tcp"
 * ```
 */
import type { PortSummary } from '../api/types.js';

/**
 * The PORTS column, as docker's `DisplayablePorts`: ports sorted by private
 * port, IP, public port and protocol; a port published on another host port
 * as `ip:public->private/proto` (IPv6 in brackets), listed last; unpublished
 * ports (`80/tcp`) and ports published on the same number grouped into
 * ranges of consecutive ports (`127.0.0.1:8000-8001->8000-8001/tcp`); all
 * joined with ", ". '' for no ports.
 */
export function displayablePorts(ports: readonly PortSummary[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.PrivatePort;
    let key: string = port.Type;
    if (port.IP) {
      const publicPort = port.PublicPort ?? 0;
      if (publicPort !== current) {
        hostMappings.push(`${joinHostPort(port.IP, String(publicPort))}->${current}/${port.Type}`);
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { first: current, last: current });
    } else if (current === group.last + 1) {
      group.last = current;
    } else {
      // A gap ends the group; the map keeps the key's first position, as Go's ordered key list does.
      result.push(formGroup(key, group.first, group.last));
      groups.set(key, { first: current, last: current });
    }
  }
  for (const [key, group] of groups) result.push(formGroup(key, group.first, group.last));
  return [...result, ...hostMappings].join(', ');
}

/** `host:port`, with an IPv6 host in brackets (`[::1]:8080`), as Go's `net.JoinHostPort`. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Docker's natural order (`sortorder.NaturalLess`): runs of digits compare as
 * numbers (`web2` before `web10`), digits before other characters, the rest
 * character by character; a prefix first. For `Array.sort`.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const digitA = isDigit(a, i);
    if (digitA !== isDigit(b, j)) return digitA ? -1 : 1;
    if (!digitA) {
      if (a[i] !== b[j]) return (a[i] ?? '') < (b[j] ?? '') ? -1 : 1;
      i++;
      j++;
      continue;
    }
    const [zerosA, zerosB] = [i, j];
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    const [startA, startB] = [i, j];
    while (isDigit(a, i)) i++;
    while (isDigit(b, j)) j++;
    const [numberA, numberB] = [a.slice(startA, i), b.slice(startB, j)];
    if (numberA.length !== numberB.length) return numberA.length - numberB.length;
    if (numberA !== numberB) return numberA < numberB ? -1 : 1;
    // Equal numbers: fewer leading zeros first.
    if (startA - zerosA !== startB - zerosB) return startA - zerosA - (startB - zerosB);
  }
  return a.length - i - (b.length - j);
}

function isDigit(text: string, index: number): boolean {
  const c = text.charCodeAt(index);
  return c >= 48 && c <= 57;
}

// "80/tcp" or, for a key "ip/tcp", "ip:80-81->80-81/tcp".
function formGroup(key: string, first: number, last: number): string {
  const slash = key.lastIndexOf('/');
  const [ip, type] = slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
  const range = first === last ? String(first) : `${first}-${last}`;
  return `${ip ? `${joinHostPort(ip, range)}->${range}` : range}/${type}`;
}

// docker's comparePorts: private port, then IP, then public port, then protocol.
function comparePorts(a: PortSummary, b: PortSummary): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  if ((a.IP ?? '') !== (b.IP ?? '')) return (a.IP ?? '') < (b.IP ?? '') ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}
