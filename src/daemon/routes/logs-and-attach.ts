/**
 * The container's output on the wire: `GET /containers/{id}/logs` (an
 * ordinary chunked 200 response) and `POST /containers/{id}/attach` (a
 * hijacked connection). Without a TTY every write is a multiplexed frame
 * (api/stdcopy.ts `frame`): type 1 stdout, 2 stderr.
 *
 * ```
 * logs:   container-json.log ──readLog/followLog──▶ [tail, since, timestamps] ──▶ frames ──▶ 200 chunked
 * attach: LiveContainer 'output' ──▶ frames ──▶ socket;   socket ──▶ [detach keys, Tty] ──▶ task.stdin (OpenStdin)
 *         'exit' or the detach keys ──▶ socket.end()   (the container runs on after a detach)
 * ```
 */
import fs from 'node:fs/promises';
import type { Socket } from 'node:net';
import { InvalidParameterError } from '../../errdefs.js';
import { NotImplementedError } from '../../errors.js';
import { followLog, readLog } from '../../runtime/json-log.js';
import type { LogEntry, ReadLogOptions } from '../../runtime/json-log.js';
import type { ContainersBackend } from '../backends.js';
import { checkTransition } from '../containers/container-state.js';
import { checkLogsReadable } from '../containers/log-config.js';
import { STDERR, STDOUT, frame } from '../../api/stdcopy.js';
import { DetachKeysWatcher } from '../server/detach-keys.js';
import { hijack } from '../server/hijack.js';
import type { RouteContext } from '../server/router.js';
import type { Validated } from '../server/validate.js';
import type { AttachQuery, LogsQuery } from './container-requests.js';

/**
 * The log options from `?tail=&since=&until=`: `tail` `all` (or empty, or
 * negative, as testcontainers sends -1) is everything; since/until are unix
 * seconds, possibly with a fraction (the query was checked: tail is `all`, '' or a whole number).
 */
export function logOptions(query: LogsQuery): ReadLogOptions {
  // TODO(lesson-12): Read tail (all, empty or negative: everything), since and until (unix seconds, > 0) from the query.
  throw new NotImplementedError('lesson-12: logOptions');
}

/**
 * One log entry as it goes out: optionally prefixed with its timestamp, framed
 * unless `tty`. The log file trims trailing zeros from the fraction (Go's
 * RFC3339Nano); `docker logs -t` shows all nine digits, so they are put back.
 */
export function encodeEntry(entry: LogEntry, timestamps: boolean, tty: boolean): Buffer {
  // TODO(lesson-12): Prefix the line with its time (nine fraction digits) and a space when asked, and frame it (STDOUT or STDERR) unless tty.
  throw new NotImplementedError('lesson-12: encodeEntry');
}

/**
 * `GET /containers/{id}/logs`: 200 with no Content-Type, then the entries;
 * with `follow` on a running container, live entries until it exits.
 * @throws InvalidParameterError when neither stdout nor stderr is asked for;
 *   UnimplementedError (501) for a container whose log driver is none.
 */
export async function streamLogs(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<LogsQuery>): Promise<void> {
  // TODO(lesson-12): Answer 200 (no Content-Type) and write the log entries as frames; with follow on a running container, until it exits.
  // HINT: neither stdout nor stderr: InvalidParameterError `Bad parameters: you must choose at least one stream`;
  // HINT: checkLogsReadable(record.HostConfig.LogConfig) first: the none driver keeps nothing to read (501).
  // HINT: followLog(file, live, options) with live = backend.live(id).log when following a running container.
  // HINT: stop reading when the client goes away: race the iterator against res "close".
  throw new NotImplementedError('lesson-12: streamLogs');
}

/**
 * `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&stdin=1][&logs=1]`:
 * hijacks the connection (101), replays the log with `logs`, then streams live
 * output until the container exits and its output is drained. The client's
 * half-close is fine; with `stdin` and OpenStdin its bytes go to the
 * container, whose stdin is closed when the client half-closes and StdinOnce.
 * @throws ConflictError for an exited container (start it first).
 */
export async function attachContainer(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<AttachQuery>): Promise<void> {
  // TODO(lesson-12): Hijack the connection and stream the container's output until it exits, with stdin when asked for.
  // HINT: with stream=1, ask checkTransition(id, status, 'attach') first: an exited container cannot be attached to.
  // HINT: drain the request, then hijack(ctx.req, ctx.res); with logs=1 replay readLog first;
  // HINT: live "output" → frame(STDOUT|STDERR, chunk) on the socket; "exit" or "removed" → socket.end();
  // HINT: stdin: connectStdin once the task runs (now, or on "start"); its onDetach removes your listeners and ends the socket;
  // HINT: remove your listeners on socket "close" too.
  throw new NotImplementedError('lesson-12: attachContainer');
}

/**
 * Connects the client's bytes to the container's stdin, as docker does:
 * only when asked for (`stdin=1`) and the container keeps stdin open;
 * otherwise they are read and dropped, so a half-close never stops the output.
 * Without a Tty, the client's half-close closes the container's stdin when
 * StdinOnce. With a Tty (what `docker run -it` and `docker attach` use), it
 * never does, and `detachKeys` end the attach (`onDetach`) while the
 * container keeps running; the keys themselves never reach it.
 */
export function connectStdin(socket: Socket, backend: ContainersBackend, id: string, query: Pick<AttachQuery, 'stdin' | 'detachKeys'>, onDetach: () => void): void {
  const record = backend.resolve(id);
  const stdin = backend.live(id).task?.stdin;
  if (!query.stdin || !record.Config.OpenStdin || stdin === undefined) {
    socket.resume();
    return;
  }
  if (!record.Config.Tty) {
    socket.pipe(stdin, { end: record.Config.StdinOnce });
    return;
  }
  const watcher = new DetachKeysWatcher(query.detachKeys);
  watcher.once('detach', () => {
    socket.unpipe(watcher);
    watcher.unpipe(stdin);
    socket.resume();
    onDetach();
  });
  socket.pipe(watcher).pipe(stdin, { end: false });
}
