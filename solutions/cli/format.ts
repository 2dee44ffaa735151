/**
 * How the docker CLI prints things, so `minidocker` output looks the same:
 *
 * ```
 * CONTAINER ID   IMAGE     COMMAND     CREATED         STATUS         PORTS     NAMES
 * 4f2a0c1b9e3d   busybox   "echo hi"   5 seconds ago   Up 4 seconds             web
 * └ shortId      └ Go tabwriter: every column but the last padded to max(10, widest + 3)
 * ```
 * Sizes and durations follow docker's go-units package (`4.26MB`, `About a minute`).
 */
import { EngineError } from '../errdefs.js';

/**
 * Lays out rows like Go's `tabwriter.NewWriter(out, minWidth, 1, padding, ' ', 0)`,
 * which docker uses for every table: each column except the last is padded with
 * spaces to the width of its widest cell plus `padding`, and never narrower than
 * `minWidth`. Widths count characters, not bytes. The last cell is not padded.
 * @returns the lines, each ending with `\n`; an empty string for no rows.
 */
export function formatTable(rows: string[][], minWidth = 10, padding = 3): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? minWidth, width(cell) + padding);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => (i < row.length - 1 ? cell + ' '.repeat((widths[i] ?? 0) - width(cell)) : cell)).join(''))
    .map((line) => `${line}\n`)
    .join('');
}

/**
 * The 12-character form of an id, like docker's `TruncateID`: the algorithm
 * prefix (`sha256:`) is dropped first. Shorter ids come back whole.
 */
export function shortId(id: string): string {
  const colon = id.indexOf(':');
  return id.slice(colon + 1, colon + 1 + 12);
}

/**
 * A human approximation of a duration, as go-units' `HumanDuration`:
 * `Less than a second`, `1 second`, `5 seconds`, `About a minute`, `3 minutes`,
 * `About an hour`, `5 hours`, `3 days`, `2 weeks`, `3 months`, `2 years`.
 * Negative durations (clock skew) count as less than a second.
 */
export function humanDuration(seconds: number): string {
  const s = Math.trunc(seconds);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(seconds / 3600 / 24 / 365)} years`;
}

/**
 * The CREATED column: `humanDuration(now - created) + " ago"`, e.g. `5 seconds ago`.
 * @param unixSeconds a timestamp as the Engine API sends it (`Created`).
 * @param now the current time in milliseconds; `Date.now()` by default.
 */
export function timeAgo(unixSeconds: number, now: number = Date.now()): string {
  return `${humanDuration(now / 1000 - unixSeconds)} ago`;
}

/**
 * A size in decimal units with 3 significant digits, as go-units'
 * `HumanSizeWithPrecision(size, 3)`: `999B`, `1.23kB`, `4.26MB`, `1.5GB`.
 */
export function humanSize(bytes: number): string {
  return scaled(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'], 3);
}

/**
 * A size in binary units with 4 significant digits, as go-units' `BytesSize`
 * (docker info's Total Memory): `512MiB`, `23.47GiB`.
 */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'], 4);
}

/**
 * Shortens text to at most `max` characters, ending with `…` when cut,
 * like docker's `Ellipsis` (the COMMAND column uses 20).
 */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * The line the CLI prints for an error. An error the daemon answered with
 * (an EngineError carrying a status code) reads
 * `Error response from daemon: <message>`; several errors (an AggregateError,
 * e.g. from `rm a b`) give one line each; anything else prints its message.
 */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError) return err.errors.map(describeError).join('\n');
  if (err instanceof EngineError && err.statusCode !== undefined) return `Error response from daemon: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

function width(text: string): number {
  return [...text].length;
}

function scaled(size: number, base: number, units: string[], precision: number): string {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return `${formatG(size, precision)}${units[i]}`;
}

// Go's `%.<precision>g`: significant digits, trailing zeros dropped, and an
// exponent (`1e+03`) once the rounded value needs more digits than allowed.
function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  const [mantissa = '0', exp = '0'] = value.toExponential(precision - 1).split('e');
  const exponent = Number(exp);
  const trim = (digits: string) => (digits.includes('.') ? digits.replace(/\.?0+$/, '') : digits);
  if (exponent < -4 || exponent >= precision) {
    const sign = exponent < 0 ? '-' : '+';
    return `${trim(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return trim(value.toFixed(Math.max(0, precision - 1 - exponent)));
}
