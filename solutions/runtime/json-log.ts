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
 * the files: `tail` reads backwards from the end in chunks, never a whole file.
 *
 * With a {@link LogRotation} (docker's `max-size` and `max-file`) the log
 * rotates before an entry goes into a file that already reached max-size:
 *
 * ```
 * container-json.log.(N-2) → .(N-1) (the oldest, .(N-1), is removed first) … container-json.log.1 → .2
 * container-json.log → container-json.log.1, and a fresh container-json.log
 * (max-file 1: the full file is removed, and a fresh one begins)
 * ```
 *
 * Readers see the rotated files oldest first, then the current one
 * (runtime/log-files.ts opens them).
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { closeLogFiles, lines, openLogFiles, readAt, removeIfExists, renameIfExists, rotatedName, rotationLimits } from './log-files.js';
import type { OpenLogFile, RotationLimits } from './log-files.js';

/** One line (or piece of a long line) of output. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  log: Buffer;
  /** RFC 3339 with nanoseconds, UTC. */
  time: string;
}

/** What to read. */
export interface ReadLogOptions {
  /** Only the last N lines of the log, counted across its files; undefined (or negative) = all. */
  tail?: number;
  /** Only entries at or after this unix time (seconds, may have a fraction). */
  since?: number;
  /** Only entries at or before this unix time (seconds). */
  until?: number;
}

/** Rotation limits, docker's json-file `max-size` and `max-file`. */
export interface LogRotation {
  /** Bytes a file may reach before the next entry goes to a fresh one; undefined or ≤ 0: unlimited, no rotation. */
  maxSize?: number;
  /** Files kept in all, the current one included (an integer ≥ 1, default 1). */
  maxFiles?: number;
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

  /** `size`: the bytes in the current file. */
  private constructor(
    private readonly file: string,
    fd: number,
    private size: number,
    private readonly limits: RotationLimits,
  ) {
    super();
    this.fd = fd;
  }

  /**
   * Opens (creating, mode 0640) the log for appending; with `rotation`, it
   * rotates as docker's json-file does (see the module comment).
   * @throws InvalidParameterError for a bad max-file; the file system's error.
   */
  static async open(file: string, rotation?: LogRotation): Promise<JsonFileLog> {
    const limits = rotationLimits(rotation);
    // A plain fd, not a FileHandle: the log writes synchronously and closes it itself.
    const fd = await promisify(fs.open)(file, 'a', 0o640);
    return new JsonFileLog(file, fd, fs.fstatSync(fd).size, limits);
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
    // As docker: a file that reached max-size gets no more entries (it may end up one entry past it).
    if (this.size >= this.limits.maxSize) this.rotate();
    // One write(2) per line on an O_APPEND fd: readers never see half a line.
    this.size += fs.writeSync(this.fd, `${JSON.stringify({ log: entry.log.toString('utf8'), stream, time: entry.time })}\n`);
    this.emit('entry', entry);
  }

  /**
   * docker's rotation, all synchronous: the oldest rotated file goes, each
   * `file.i` becomes `file.(i+1)`, the current one `file.1` (with max-file 1
   * it is removed), and a fresh file takes its place.
   */
  private rotate(): void {
    const { file, limits } = this;
    // file.(N-1) goes, and any older file a former, larger max-file left behind.
    for (let n = Math.max(1, limits.maxFiles - 1); removeIfExists(rotatedName(file, n)); n++);
    for (let n = limits.maxFiles - 1; n > 1; n--) renameIfExists(rotatedName(file, n - 1), rotatedName(file, n));
    // Renamed or removed, never truncated: a reader that has it open reads on.
    if (limits.maxFiles > 1) renameIfExists(file, rotatedName(file, 1));
    else removeIfExists(file);
    const fd = fs.openSync(file, 'a', 0o640);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = fd;
    this.size = 0;
  }
}

/**
 * The entries of a log, its rotated files (`file.K` … `file.1`) first, then
 * `file` (none when there is no log), filtered by `options`; `tail` counts
 * across the files.
 */
export async function* readLog(file: string, options: ReadLogOptions = {}): AsyncIterable<LogEntry> {
  yield* readRange(openLogFiles(file), options);
}

/**
 * The files' entries, then the live log's new ones until it closes: with no
 * gap and no duplicate, because the live entries are queued from the moment
 * the files are opened, and a rotation while following renames the files this
 * reads but does not change them. `live` undefined (or closed) → like
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
    // Every entry emitted so far is in these files, below their sizes; every later one is queued.
    yield* readRange(openLogFiles(file), options);
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

/** The entries of `files` (oldest first, each up to its size), filtered by `options`; closes them. */
async function* readRange(files: OpenLogFile[], options: ReadLogOptions): AsyncIterable<LogEntry> {
  try {
    const starts = files.map(() => 0);
    if (options.tail !== undefined && options.tail >= 0) {
      // From the newest file back: each gives what it has of the lines still wanted.
      let wanted = options.tail;
      for (let i = files.length - 1; i >= 0; i--) {
        const { fd, size } = files[i] as OpenLogFile;
        const { offset, count } = await tailStart(fd, size, wanted);
        starts[i] = offset;
        wanted -= count;
      }
    }
    const since = options.since === undefined ? undefined : BigInt(Math.round(options.since * 1e9));
    const until = options.until === undefined ? undefined : BigInt(Math.round(options.until * 1e9));
    for (const [i, { fd, size }] of files.entries()) {
      for await (const line of lines(fd, starts[i] ?? 0, size)) {
        const raw = JSON.parse(line.toString('utf8')) as { log: string; stream: LogEntry['stream']; time: string };
        const at = timeNanos(raw.time);
        if (since !== undefined && at < since) continue;
        if (until !== undefined && at > until) return;
        yield { stream: raw.stream, log: Buffer.from(raw.log, 'utf8'), time: raw.time };
      }
    }
  } finally {
    await closeLogFiles(files);
  }
}

/**
 * Where the last `n` lines of [0, size) of the file begin, found reading
 * backwards in chunks, and how many lines that is: `n`, or all the file has
 * when it has fewer (offset 0).
 */
async function tailStart(fd: number, size: number, n: number): Promise<{ offset: number; count: number }> {
  if (n === 0 || size === 0) return { offset: size, count: 0 };
  let seen = 0;
  let pos = size - 1; // the last byte is the last line's own '\n'
  const buffer = Buffer.alloc(CHUNK);
  while (pos > 0) {
    const from = Math.max(0, pos - CHUNK);
    const bytesRead = await readAt(fd, buffer, pos - from, from);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buffer[i] === NEWLINE && ++seen === n) return { offset: from + i + 1, count: n };
    }
    pos = from;
  }
  return { offset: 0, count: seen + 1 }; // the first line has no '\n' before it
}
