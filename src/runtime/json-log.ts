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
import { NotImplementedError } from '../errors.js';

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
  // TODO(lesson-11): Format anchorNs + (hrtime now - anchorHr) as YYYY-MM-DDTHH:MM:SS.fffffffffZ, trailing zeros trimmed like Go.
  // HINT: new Date(ms).toISOString().slice(0, 19) gives the seconds; the fraction is ns % 1e9, 9 digits, then /0+$/ removed.
  throw new NotImplementedError('lesson-11: nowRFC3339Nano');
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
    // TODO(lesson-11): Open the file for appending with a plain fd (promisify(fs.open)), not a FileHandle; construct the log with the file's current size (fs.fstatSync).
    void file, limits;
    throw new NotImplementedError('lesson-11: JsonFileLog.open');
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    // TODO(lesson-11): Tell whether close() ran (the fd is gone).
    throw new NotImplementedError('lesson-11: JsonFileLog.closed');
  }

  /**
   * Appends every complete line of `chunk`; the rest waits for its `\n` (per
   * stream), or is written as a piece once it reaches {@link MAX_LINE}.
   * Ignored after close.
   */
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    // TODO(lesson-11): Prepend the stream's partial bytes, append() each complete line with its "\n", cut pieces of MAX_LINE, keep the rest.
    void stream, chunk;
    throw new NotImplementedError('lesson-11: JsonFileLog.write');
  }

  /** Writes the buffered partial lines as they are (without `\n`). */
  flush(): void {
    // TODO(lesson-11): append() each stream's partial bytes as they are, then empty them.
    throw new NotImplementedError('lesson-11: JsonFileLog.flush');
  }

  /** Flushes, closes the file and emits `'close'`. Idempotent. */
  close(): void {
    // TODO(lesson-11): Once: flush(), close the fd, forget it, emit "close".
    throw new NotImplementedError('lesson-11: JsonFileLog.close');
  }

  private append(stream: LogEntry['stream'], line: Buffer): void {
    // TODO(lesson-11): One fs.writeSync of JSON.stringify({ log, stream, time }) + "\n" (keys in that order), then emit "entry".
    // HINT: Before the write, rotate() when this.size >= this.limits.maxSize (docker checks before, so a file ends at most one entry past max-size); add what writeSync returns to this.size.
    void stream, line;
    throw new NotImplementedError('lesson-11: JsonFileLog.append');
  }

  /**
   * docker's rotation, all synchronous: the oldest rotated file goes, each
   * `file.i` becomes `file.(i+1)`, the current one `file.1` (with max-file 1
   * it is removed), and a fresh file takes its place.
   */
  private rotate(): void {
    // TODO(lesson-11): Remove file.(N-1), rename file.(n-1) → file.n for n = N-1 down to 2, then file → file.1 (N = 1: remove it); open a fresh file, close the old fd, size 0.
    // HINT: N is this.limits.maxFiles; rotatedName, removeIfExists and renameIfExists are given. Stay synchronous: openLogFiles relies on it. Removing file.(N-1), file.N, … until one is missing also drops what a larger max-file left.
    throw new NotImplementedError('lesson-11: JsonFileLog.rotate');
  }
}

/**
 * The entries of a log, its rotated files (`file.K` … `file.1`) first, then
 * `file` (none when there is no log), filtered by `options`; `tail` counts
 * across the files.
 */
export async function* readLog(file: string, options: ReadLogOptions = {}): AsyncIterable<LogEntry> {
  // TODO(lesson-11): yield* readRange() of openLogFiles(file): the log's files as they are now, oldest first.
  void file, options;
  throw new NotImplementedError('lesson-11: readLog');
}

/**
 * The files' entries, then the live log's new ones until it closes: with no
 * gap and no duplicate, because the live entries are queued from the moment
 * the files are opened, and a rotation while following renames the files this
 * reads but does not change them. `live` undefined (or closed) → like
 * {@link readLog}. An `until` in the past ends the stream early.
 */
export async function* followLog(file: string, live: JsonFileLog | undefined, options: ReadLogOptions = {}): AsyncIterable<LogEntry> {
  // TODO(lesson-11): Listen for "entry" and "close" FIRST, then openLogFiles(file): readRange() of those files, then the queued live entries.
  // HINT: Without live (or when it is closed) it is just readLog. Wait for new entries with a promise the listener resolves; remove the listeners in a finally.
  void file, live, options;
  throw new NotImplementedError('lesson-11: followLog');
}

/** The entries of `files` (oldest first, each up to its size), filtered by `options`; closes them. */
async function* readRange(files: OpenLogFile[], options: ReadLogOptions): AsyncIterable<LogEntry> {
  // TODO(lesson-11): Each file's lines() in order, from 0 or (with tail) tailStart()'s offset, parsed, since and until applied; closeLogFiles(files) in a finally.
  // HINT: tail counts across files: newest first, tailStart(fd, size, wanted), then wanted -= count. Compare times with timeNanos(): since/until are unix seconds (since * 1e9 as a bigint).
  void files, options;
  throw new NotImplementedError('lesson-11: readRange');
}

/**
 * Where the last `n` lines of [0, size) of the file begin, found reading
 * backwards in chunks, and how many lines that is: `n`, or all the file has
 * when it has fewer (offset 0).
 */
async function tailStart(fd: number, size: number, n: number): Promise<{ offset: number; count: number }> {
  // TODO(lesson-11): Read CHUNK-sized blocks (readAt) backwards from size - 1 (the last "\n" belongs to the last line), count "\n"s; after the n-th, that is the offset.
  // HINT: With fewer than n lines: offset 0, count the "\n"s seen + 1 (the first line has none before it); n 0 or an empty file: offset size, count 0.
  void fd, size, n;
  throw new NotImplementedError('lesson-11: tailStart');
}
