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
  const options: ReadLogOptions = {};
  const tail = query.tail;
  if (tail !== 'all' && tail !== '' && Number(tail) >= 0) options.tail = Number(tail);
  for (const key of ['since', 'until'] as const) {
    const value = Number(query[key] ?? '0');
    if (Number.isFinite(value) && value > 0) options[key] = value;
  }
  return options;
}

/**
 * One log entry as it goes out: optionally prefixed with its timestamp, framed
 * unless `tty`. The log file trims trailing zeros from the fraction (Go's
 * RFC3339Nano); `docker logs -t` shows all nine digits, so they are put back.
 */
export function encodeEntry(entry: LogEntry, timestamps: boolean, tty: boolean): Buffer {
  const time = entry.time.replace(/(?:\.(\d{1,9}))?Z$/, (_, fraction: string | undefined) => `.${(fraction ?? '').padEnd(9, '0')}Z`);
  const payload = timestamps ? Buffer.concat([Buffer.from(`${time} `), entry.log]) : entry.log;
  return tty ? payload : frame(entry.stream === 'stdout' ? STDOUT : STDERR, payload);
}

/**
 * `GET /containers/{id}/logs`: 200 with no Content-Type, then the entries;
 * with `follow` on a running container, live entries until it exits.
 * @throws InvalidParameterError when neither stdout nor stderr is asked for;
 *   UnimplementedError (501) for a container whose log driver is none.
 */
export async function streamLogs(backend: ContainersBackend, ctx: RouteContext, { query }: Validated<LogsQuery>): Promise<void> {
  const record = backend.resolve(ctx.params.id ?? '');
  checkLogsReadable(record.HostConfig.LogConfig);
  const wanted = new Set<string>();
  if (query.stdout) wanted.add('stdout');
  if (query.stderr) wanted.add('stderr');
  if (wanted.size === 0) throw new InvalidParameterError('Bad parameters: you must choose at least one stream');
  const options = logOptions(query);
  const file = backend.logPath(record.Id);
  const live = query.follow && record.State.Running ? backend.live(record.Id).log : undefined;
  const hasFile = await fs.stat(file).then(() => true, () => false);

  ctx.res.writeHead(200);
  ctx.res.flushHeaders();
  if (!hasFile && live === undefined) {
    ctx.res.end();
    return;
  }
  const entries = followLog(file, live, options)[Symbol.asyncIterator]();
  const gone = new Promise<'gone'>((resolve) => ctx.res.once('close', () => resolve('gone')));
  for (;;) {
    const next = await Promise.race([entries.next(), gone]);
    if (next === 'gone' || next.done === true) break;
    if (wanted.has(next.value.stream)) ctx.res.write(encodeEntry(next.value, query.timestamps, record.Config.Tty));
  }
  void entries.return?.(undefined)?.catch(() => undefined);
  ctx.res.end();
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
  const record = backend.resolve(ctx.params.id ?? '');
  if (query.stream) checkTransition(record.Id, record.State.Status, 'attach');
  const wanted = new Set<string>();
  if (query.stdout) wanted.add('stdout');
  if (query.stderr) wanted.add('stderr');
  const tty = record.Config.Tty;
  const live = backend.live(record.Id);
  for await (const _ of ctx.req) {
    // an attach request has no body; drain anything sent anyway
  }
  const socket = hijack(ctx.req, ctx.res);

  const onOutput = (name: 'stdout' | 'stderr', chunk: Buffer): void => {
    if (wanted.has(name) && socket.writable) socket.write(tty ? chunk : frame(name === 'stdout' ? STDOUT : STDERR, chunk));
  };
  const onExit = (): void => {
    socket.end();
  };
  const detach = (): void => {
    live.off('output', onOutput);
    live.off('exit', onExit);
    live.off('removed', onExit);
    live.off('start', onStart);
  };
  const onStart = (): void => connectStdin(socket, backend, record.Id, query, () => {
    detach();
    socket.end();
  });
  socket.once('close', detach);

  if (query.logs && (await fs.stat(backend.logPath(record.Id)).then(() => true, () => false))) {
    for await (const entry of readLog(backend.logPath(record.Id))) onOutput(entry.stream, entry.log);
  }
  if (!query.stream) {
    socket.end();
    return;
  }
  live.on('output', onOutput);
  live.once('exit', onExit);
  live.once('removed', onExit);
  if (live.task !== undefined) onStart();
  else live.once('start', onStart);
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
