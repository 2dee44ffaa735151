/**
 * Provided: how the docker CLI prints volumes (`volume ls`, `volume inspect`,
 * `volume prune`). The formats teach nothing about volumes.
 *
 * ```
 * DRIVER    VOLUME NAME          volume ls: by name in natural order (web2 before web10)
 * local     web2
 * [                              volume inspect: Go's json.MarshalIndent of []volume.Volume,
 *     {                          fields in the struct's order, map keys sorted, <>& escaped
 *         "CreatedAt": "…",
 * Total reclaimed space: 1.235MB volume prune: go-units' HumanSize (4 significant digits)
 * ```
 */
import type { Volume } from '../api/volume-types.js';

/** The columns of `docker volume ls`. */
export const VOLUMES_HEADER = ['DRIVER', 'VOLUME NAME'];

/**
 * The volumes as `docker volume inspect` prints them: one JSON array indented
 * by 4 spaces, each volume re-encoded as the docker CLI's typed `volume.Volume`
 * (its field order; `Labels` and `Options` null when missing; fields it does
 * not know dropped), map keys sorted and `<`, `>`, `&` escaped as Go does.
 * `[]` when there is none. Ends with a newline.
 */
export function volumesInspectJson(volumes: readonly Volume[]): string {
  if (volumes.length === 0) return '[]\n';
  const typed = volumes.map((v) => ({
    ...(v.CreatedAt ? { CreatedAt: v.CreatedAt } : {}),
    Driver: v.Driver ?? '',
    Labels: sortedMap(v.Labels),
    Mountpoint: v.Mountpoint ?? '',
    Name: v.Name ?? '',
    Options: sortedMap(v.Options),
    Scope: v.Scope ?? '',
    ...(v.Status && Object.keys(v.Status).length > 0 ? { Status: sortedDeep(v.Status) } : {}),
    ...(v.UsageData ? { UsageData: { RefCount: v.UsageData.RefCount, Size: v.UsageData.Size } } : {}),
  }));
  return `${goJson(typed)}\n`;
}

/** JSON as Go's `json.MarshalIndent(v, "", "    ")` writes it: HTML-sensitive characters escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A size as go-units' `HumanSize` prints it: decimal units with 4 significant
 * digits (`0B`, `1.235MB`, `12.5kB`), as `Total reclaimed space:` shows it.
 */
export function humanSize4(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatG(size, 4)}${units[i]}`;
}

// Go's `%.<precision>g`: significant digits, trailing zeros dropped, an exponent once needed.
function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const [mantissa = '0', exp = '0'] = value.toExponential(precision - 1).split('e');
  const exponent = Number(exp);
  const trim = (digits: string) => (digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits);
  if (exponent < -4 || exponent >= precision) {
    return `${trim(mantissa)}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trim(value.toFixed(Math.max(0, precision - 1 - exponent)));
}

// Go encodes a map with its keys sorted; a nil map is null.
function sortedMap(map: Record<string, string> | null | undefined): Record<string, string> | null {
  if (map === null || map === undefined) return null;
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortedDeep(v)]));
}
