/**
 * Provided: the progress display lesson 09 prints pulls and pushes with.
 *
 * Docker's progress display (its `jsonmessage` package): how `pull` and `push`
 * print the daemon's JSON message stream.
 *
 * ```
 * without a terminal            on a terminal (each layer's line redrawn in place)
 * latest: Pulling from x        latest: Pulling from x
 * 8a7ff413b670: Pulling fs …    8a7ff413b670: Downloading [=====>     ]  412kB/1.05MB
 * 8a7ff413b670: Pull complete   …
 * ```
 */
import type { JSONMessage } from '../api/types.js';
import type { CliOutput } from './context.js';

/**
 * Prints a JSON message stream the way docker's `jsonmessage` does. Without a
 * terminal: one `<id>: <status>` line per message, skipping messages that only
 * move a bar. On a terminal: one line per layer id, redrawn in place (cursor
 * up, clear line, `<id>: <status> <progress>`, cursor back down).
 * @throws Error with the message of an `errorDetail`/`error` line.
 */
export async function displayJsonMessages(messages: AsyncIterable<JSONMessage>, out: CliOutput): Promise<void> {
  const lines = new Map<string, number>(); // layer id → its line, counted from the top
  let total = 0;
  for await (const message of messages) {
    if (message.errorDetail || message.error) throw new Error(message.errorDetail?.message ?? message.error);
    const prefix = message.id ? `${message.id}: ` : '';
    if (message.stream !== undefined) {
      out.write(prefix + message.stream);
      continue;
    }
    if (message.status === undefined) continue; // aux
    if (!out.isTTY) {
      const detail = message.progressDetail;
      if (detail && ((detail.current ?? 0) > 0 || (detail.total ?? 0) > 0)) continue;
      out.write(`${prefix}${message.status}\n`);
      continue;
    }
    const text = `${prefix}${message.status}${message.progress ? ` ${message.progress}` : ''}`;
    const line = message.id === undefined ? undefined : lines.get(message.id);
    if (line === undefined) {
      if (message.id !== undefined) lines.set(message.id, total);
      out.write(`${text}\n`);
      total++;
    } else {
      const up = total - line;
      out.write(`\x1b[${up}A\x1b[2K\r${text}\x1b[${up}B\r`);
    }
  }
}
