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
import { NotImplementedError } from '../errors.js';

/**
 * Lays out rows like Go's `tabwriter.NewWriter(out, minWidth, 1, padding, ' ', 0)`,
 * which docker uses for every table: each column except the last is padded with
 * spaces to the width of its widest cell plus `padding`, and never narrower than
 * `minWidth`. Widths count characters, not bytes. The last cell is not padded.
 * @returns the lines, each ending with `\n`; an empty string for no rows.
 */
export function formatTable(rows: string[][], minWidth = 10, padding = 3): string {
  // TODO(lesson-02): Pad every cell but the last of each row to its column's width, max(minWidth, widest + padding).
  // HINT: measure with [...cell].length (characters, not UTF-16 units: `…` is one); end each line with \n.
  void rows, minWidth, padding;
  throw new NotImplementedError('lesson-02: formatTable');
}

/**
 * The 12-character form of an id, like docker's `TruncateID`: the algorithm
 * prefix (`sha256:`) is dropped first. Shorter ids come back whole.
 */
export function shortId(id: string): string {
  // TODO(lesson-02): Drop everything up to the first ':' and keep 12 characters.
  void id;
  throw new NotImplementedError('lesson-02: shortId');
}

/**
 * A human approximation of a duration, as go-units' `HumanDuration`:
 * `Less than a second`, `1 second`, `5 seconds`, `About a minute`, `3 minutes`,
 * `About an hour`, `5 hours`, `3 days`, `2 weeks`, `3 months`, `2 years`.
 * Negative durations (clock skew) count as less than a second.
 */
export function humanDuration(seconds: number): string {
  // TODO(lesson-02): Port go-units' HumanDuration (thresholds below).
  // HINT: whole seconds < 1 → 'Less than a second', 1 → '1 second', < 60 → 'N seconds';
  // HINT: whole minutes 1 → 'About a minute', < 60 → 'N minutes'; hours ROUNDED: 1 → 'About an hour',
  // HINT: < 48 → 'N hours', < 24*7*2 → days, < 24*30*2 → weeks (h/24/7), < 24*365*2 → months (h/24/30), else years.
  void seconds;
  throw new NotImplementedError('lesson-02: humanDuration');
}

/**
 * The CREATED column: `humanDuration(now - created) + " ago"`, e.g. `5 seconds ago`.
 * @param unixSeconds a timestamp as the Engine API sends it (`Created`).
 * @param now the current time in milliseconds; `Date.now()` by default.
 */
export function timeAgo(unixSeconds: number, now: number = Date.now()): string {
  // TODO(lesson-02): Return humanDuration of the seconds between `unixSeconds` and `now`, plus ' ago'.
  void unixSeconds, now;
  throw new NotImplementedError('lesson-02: timeAgo');
}

/**
 * A size in decimal units with 3 significant digits, as go-units'
 * `HumanSizeWithPrecision(size, 3)`: `999B`, `1.23kB`, `4.26MB`, `1.5GB`.
 */
export function humanSize(bytes: number): string {
  // TODO(lesson-02): Divide by 1000 while ≥ 1000 (B, kB, MB, GB, TB, …) and print 3 significant digits.
  // HINT: Go's %.3g drops trailing zeros (4.00 → '4', 4.20 → '4.2'); Number(x.toPrecision(3)) gets you close.
  void bytes;
  throw new NotImplementedError('lesson-02: humanSize');
}

/**
 * A size in binary units with 4 significant digits, as go-units' `BytesSize`
 * (docker info's Total Memory): `512MiB`, `23.47GiB`.
 */
export function bytesSize(bytes: number): string {
  // TODO(lesson-02): Like humanSize, with base 1024, units B, KiB, MiB, GiB, TiB, … and 4 significant digits.
  void bytes;
  throw new NotImplementedError('lesson-02: bytesSize');
}

/**
 * Shortens text to at most `max` characters, ending with `…` when cut,
 * like docker's `Ellipsis` (the COMMAND column uses 20).
 */
export function ellipsis(text: string, max: number): string {
  // TODO(lesson-02): Return text when it has at most `max` characters, else its first max-1 characters and '…'.
  void text, max;
  throw new NotImplementedError('lesson-02: ellipsis');
}

/**
 * The line the CLI prints for an error. An error the daemon answered with
 * (an EngineError carrying a status code) reads
 * `Error response from daemon: <message>`; several errors (an AggregateError,
 * e.g. from `rm a b`) give one line each; anything else prints its message.
 */
export function describeError(err: unknown): string {
  // TODO(lesson-02): Prefix daemon errors (EngineError with a statusCode) with 'Error response from daemon: '.
  // HINT: an AggregateError gives one line per error in err.errors; other errors print err.message.
  void err;
  throw new NotImplementedError('lesson-02: describeError');
}
