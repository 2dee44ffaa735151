/**
 * Provided: the units lesson 02's tables and lesson 12's status sentences print with.
 *
 * How docker words sizes, durations and ids for people, after its go-units
 * package and `stringid.TruncateID`. The CLI's tables and the daemon's status
 * sentences both use these, so `minidocker ps` and `GET /containers/json`
 * agree on "About a minute".
 *
 * ```
 * humanSize(4_261_134)      → 4.26MB            (decimal, 3 significant digits)
 * bytesSize(25_200_000_000) → 23.47GiB          (binary, 4 significant digits)
 * humanDuration(90_000)     → About a minute    (milliseconds in)
 * shortId('sha256:e7d3…')   → e7d3c1a2b4f6      (12 characters, algorithm dropped)
 * fromHumanSize('1.5k')     → 1500              (decimal, as `--log-opt max-size` reads it)
 * ```
 */

/**
 * A human approximation of a duration, as go-units' `HumanDuration`:
 * `Less than a second`, `1 second`, `5 seconds`, `About a minute`, `3 minutes`,
 * `About an hour`, `5 hours`, `3 days`, `2 weeks`, `3 months`, `2 years`.
 * Seconds and minutes are truncated, hours rounded to the nearest, as go-units does.
 * Negative durations (clock skew) count as less than a second.
 * @param ms the duration in **milliseconds** (a difference of `Date.now()` values).
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/**
 * A size in decimal units with 3 significant digits, as go-units'
 * `HumanSizeWithPrecision(size, 3)`: `999B`, `1.23kB`, `4.26MB`, `1.5GB`
 * (and, like Go's `%g`, `1e+03kB` for a value that rounds up to 1000).
 * @param bytes a size in bytes.
 */
export function humanSize(bytes: number): string {
  return scaled(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'], 3);
}

/**
 * A size in binary units with 4 significant digits, as go-units' `BytesSize`
 * (docker info's Total Memory): `512MiB`, `23.47GiB`.
 * @param bytes a size in bytes.
 */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'], 4);
}

/**
 * The 12-character form of an id or a digest, like docker's `TruncateID`:
 * an algorithm prefix (`sha256:`) is dropped first. Shorter ids come back whole.
 */
export function shortId(id: string): string {
  const colon = id.indexOf(':');
  return id.slice(colon + 1, colon + 1 + 12);
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

/**
 * A size as go-units' `FromHumanSize` reads it: a number, optionally a
 * decimal unit (k, m, g, t, p: powers of 1000), optionally `i` and `b`, any
 * case: `10`, `1.5k`, `20m`, `1GB`.
 * @returns the bytes, rounded down; undefined for text that is no size.
 */
export function fromHumanSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(text);
  if (!match) return undefined;
  const power = match[2] === undefined ? 0 : 'kmgtp'.indexOf(match[2].toLowerCase()) + 1;
  return Math.floor(Number(match[1]) * 1000 ** power);
}
