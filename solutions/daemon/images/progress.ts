/**
 * Provided: the JSON progress messages lesson 09 streams.
 *
 * Docker's JSON progress messages (`pkg/jsonmessage`), as the daemon streams
 * them from `POST /images/create` and `POST /images/{name}/push`:
 *
 * ```
 * {"status":"Downloading","progressDetail":{"current":19968,"total":1984196},
 *  "progress":"[>                                                  ]  19.97kB/1.984MB","id":"bf867ce619ab"}
 * ```
 * The docker CLI draws its bars from `progressDetail` on a terminal and shows
 * `progress` as it is; without a terminal it prints only the status lines.
 */
import type { JSONMessage } from '../../api/types.js';
import type { ProgressEvent } from '../../registry-client/progress.js';
import { humanSize } from '../../units.js';

/** The width of docker's bar, in `=` characters, for 100 %. */
export const PROGRESS_BAR_WIDTH = 50;

/**
 * Docker's progress string: `[=====>      ]  1.2MB/3.4MB`, the bar 50 wide,
 * the numbers right-aligned to 8 characters. With an unknown (0) total only
 * the current size is shown, as docker does.
 */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return `${humanSize(current).padStart(8)}`;
  const filled = Math.min(PROGRESS_BAR_WIDTH, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(filled)}>${' '.repeat(PROGRESS_BAR_WIDTH - filled)}] `;
  return `${bar}${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

/**
 * One registry-client progress event as docker's JSON message: `status` and
 * `id` always, `progressDetail` (`{}` for plain status lines) and the
 * `progress` bar when the event carries byte counts.
 */
export function progressMessage(event: ProgressEvent): JSONMessage {
  const message: JSONMessage = { status: event.status, progressDetail: {}, id: event.id };
  if (event.current !== undefined && event.total !== undefined) {
    message.progressDetail = { current: event.current, total: event.total };
    message.progress = progressBar(event.current, event.total);
  }
  return message;
}
