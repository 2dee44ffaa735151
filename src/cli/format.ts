/**
 * How the docker CLI prints things, so `minidocker` output looks the same:
 *
 * ```
 * CONTAINER ID   IMAGE     COMMAND     CREATED         STATUS         PORTS     NAMES
 * 4f2a0c1b9e3d   busybox   "echo hi"   5 seconds ago   Up 4 seconds             web
 * └ shortId      └ Go tabwriter: every column but the last padded to max(10, widest + 3)
 * ```
 * Sizes, durations and short ids (`4.26MB`, `About a minute`, `4f2a0c1b9e3d`)
 * come from the provided `units.ts`, after docker's go-units package.
 */
import { EngineError } from '../errdefs.js';
import { NotImplementedError } from '../errors.js';
import { humanDuration } from '../units.js';

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
 * The CREATED column: `humanDuration(now - created) + " ago"`, e.g. `5 seconds ago`.
 * @param unixSeconds a timestamp as the Engine API sends it (`Created`).
 * @param now the current time in milliseconds; `Date.now()` by default.
 */
export function timeAgo(unixSeconds: number, now: number = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
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
  // TODO(lesson-02): Prefix daemon errors (EngineError with a statusCode) with 'Error response from daemon: '.
  // HINT: an AggregateError gives one line per error in err.errors; other errors print err.message.
  void err;
  throw new NotImplementedError('lesson-02: describeError');
}
