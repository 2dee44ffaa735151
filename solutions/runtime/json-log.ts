/**
 * Docker's `json-file` log driver: a container's output, one JSON object per
 * line, in `<container dir>/container-json.log`.
 *
 * ```
 * {"log":"hello\n","stream":"stdout","time":"2026-01-02T03:04:05.123456789Z"}
 * {"log":"oops\n","stream":"stderr","time":"2026-01-02T03:04:05.1234568Z"}
 * ```
 *
 * `log` is one line of output with its `\n`; a line longer than 16 KiB is cut
 * into pieces and only the last piece ends in `\n` (docker does the same).
 * `time` is RFC 3339 with nanoseconds and trailing zeros trimmed, as Go's
 * RFC3339Nano prints it. Logs are sized by the user, so reading streams
 * the file: `tail` reads backwards from the end in chunks, never the whole file.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { promisify } from 'node:util';

/** One line (or piece of a long line) of output. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  log: Buffer;
  /** RFC 3339 with nanoseconds, UTC. */
  time: string;
}

/** What to read. */
export interface ReadLogOptions {
  /** Only the last N lines of the file; undefined (or negative) = all. */
  tail?: number;
  /** Only entries at or after this unix time (seconds, may have a fraction). */
  since?: number;
  /** Only entries at or before this unix time (seconds). */
  until?: number;
}

/** Longest piece of a line kept in memory before it is written as a partial entry. */
export const MAX_LINE = 16 * 1024;
const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

// Date has milliseconds only: nanoseconds come from the monotonic clock, anchored once.
const anchorNs = BigInt(Date.now()) * 1_000_000n;
const anchorHr = process.hrtime.bigint();

/** Now as RFC3339Nano (`2026-01-02T03:04:05.123456789Z`, trailing zeros trimmed). */
export function nowRFC3339Nano(): string {
  const ns = anchorNs + (process.hrtime.bigint() - anchorHr);
  const iso = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso}${fraction ? `.${fraction}` : ''}Z`;
}

/** An RFC 3339 time as nanoseconds since the epoch (the fraction kept exactly). */
export function timeNanos(time: string): bigint {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) return BigInt(Date.parse(time)) * 1_000_000n;
  const seconds = BigInt(Date.parse(`${match[1]}${match[3]}`)) * 1_000_000n;
  return seconds + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/**
 * A json-file log being written. Emits `'entry'` (a {@link LogEntry}) after
 * each line reached the file, and `'close'` once.
 */
export class JsonFileLog extends EventEmitter {
  private fd: number | undefined;
  private readonly partial: Record<LogEntry['stream'], Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };

  private constructor(fd: number) {
    super();
    this.fd = fd;
  }

  /** Opens (creating, mode 0640) the log for appending. @throws the file system's error. */
  static async open(file: string): Promise<JsonFileLog> {
    // A plain fd, not a FileHandle: the log writes synchronously and closes it itself.
    const fd = await promisify(fs.open)(file, 'a', 0o640);
    return new JsonFileLog(fd);
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.fd === undefined;
  }

  /**
   * Appends every complete line of `chunk`; the rest waits for its `\n` (per
   * stream), or is written as a piece once it reaches {@link MAX_LINE}.
   * Ignored after close.
   */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.fd === undefined) return;
    let data = this.partial[stream].length > 0 ? Buffer.concat([this.partial[stream], chunk]) : chunk;
    for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE)) {
      this.append(stream, data.subarray(0, nl + 1));
      data = data.subarray(nl + 1);
    }
    while (data.length >= MAX_LINE) {
      this.append(stream, data.subarray(0, MAX_LINE));
      data = data.subarray(MAX_LINE);
    }
    this.partial[stream] = Buffer.from(data);
  }

  /** Writes the buffered partial lines as they are (without `\n`). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream].length > 0) this.append(stream, this.partial[stream]);
      this.partial[stream] = Buffer.alloc(0);
    }
  }

  /** Flushes, closes the file and emits `'close'`. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    fs.closeSync(this.fd);
    this.fd = undefined;
    this.emit('close');
  }

  private append(stream: LogEntry['stream'], line: Buffer): void {
    if (this.fd === undefined) return;
    const entry: LogEntry = { stream, log: Buffer.from(line), time: nowRFC3339Nano() };
    // One write(2) per line on an O_APPEND fd: readers never see half a line.
    fs.writeSync(this.fd, `${JSON.stringify({ log: entry.log.toString('utf8'), stream, time: entry.time })}\n`);
    this.emit('entry', entry);
  }
}

/** The entries of a log file (none when it does not exist), filtered by `options`. */
export function readLog(file: string, options: ReadLogOptions = {}): AsyncIterable<LogEntry> {
  return readRange(file, undefined, options);
}

/**
 * The file's entries, then the live log's new ones until it closes: with no
 * gap and no duplicate, because the live entries are queued from the moment
 * the file's current end is taken. `live` undefined (or closed) → like
 * {@link readLog}. An `until` in the past ends the stream early.
 */
export async function* followLog(file: string, live: JsonFileLog | undefined, options: ReadLogOptions = {}): AsyncIterable<LogEntry> {
  if (live === undefined || live.closed) {
    yield* readLog(file, options);
    return;
  }
  const queue: LogEntry[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const onEntry = (entry: LogEntry) => {
    queue.push(entry);
    wake?.();
  };
  const onClose = () => {
    closed = true;
    wake?.();
  };
  live.on('entry', onEntry);
  live.once('close', onClose);
  try {
    // Every entry emitted so far is below this size; every later one is queued.
    const end = fs.statSync(file).size;
    yield* readRange(file, end, options);
    const until = options.until === undefined ? undefined : BigInt(Math.round(options.until * 1e9));
    const since = options.since === undefined ? undefined : BigInt(Math.round(options.since * 1e9));
    for (;;) {
      const entry = queue.shift();
      if (entry) {
        const at = timeNanos(entry.time);
        if (until !== undefined && at > until) return;
        if (since === undefined || at >= since) yield entry;
        continue;
      }
      if (closed) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    live.off('entry', onEntry);
    live.off('close', onClose);
  }
}

/** Entries of `file` up to byte `end` (undefined = its current size). */
async function* readRange(file: string, end: number | undefined, options: ReadLogOptions): AsyncIterable<LogEntry> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const size = end ?? (await handle.stat()).size;
    const start = options.tail !== undefined && options.tail >= 0 ? await tailStart(handle, size, options.tail) : 0;
    const since = options.since === undefined ? undefined : BigInt(Math.round(options.since * 1e9));
    const until = options.until === undefined ? undefined : BigInt(Math.round(options.until * 1e9));
    for await (const line of lines(handle, start, size)) {
      const raw = JSON.parse(line.toString('utf8')) as { log: string; stream: LogEntry['stream']; time: string };
      const at = timeNanos(raw.time);
      if (since !== undefined && at < since) continue;
      if (until !== undefined && at > until) return;
      yield { stream: raw.stream, log: Buffer.from(raw.log, 'utf8'), time: raw.time };
    }
  } finally {
    await handle.close();
  }
}

/** The offset where the last `n` lines of [0, size) begin, found reading backwards in chunks. */
async function tailStart(handle: fsp.FileHandle, size: number, n: number): Promise<number> {
  if (n === 0) return size;
  let seen = 0;
  let pos = size - 1; // the last byte is the last line's own '\n'
  const buffer = Buffer.alloc(CHUNK);
  while (pos > 0) {
    const from = Math.max(0, pos - CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, pos - from, from);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buffer[i] === NEWLINE && ++seen === n) return from + i + 1;
    }
    pos = from;
  }
  return 0;
}

/** The complete lines of [start, end), without their '\n', read in chunks. */
async function* lines(handle: fsp.FileHandle, start: number, end: number): AsyncIterable<Buffer> {
  let rest = Buffer.alloc(0);
  for (let pos = start; pos < end; ) {
    const buffer = Buffer.alloc(Math.min(CHUNK, end - pos));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    let data = rest.length > 0 ? Buffer.concat([rest, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
    for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE)) {
      if (nl > 0) yield data.subarray(0, nl);
      data = data.subarray(nl + 1);
    }
    rest = Buffer.from(data);
  }
}
