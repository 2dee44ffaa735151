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
import { humanDuration } from '../units.js';

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
  if (err instanceof AggregateError) return err.errors.map(describeError).join('\n');
  if (err instanceof EngineError && err.statusCode !== undefined) return `Error response from daemon: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

function width(text: string): number {
  return [...text].length;
}
