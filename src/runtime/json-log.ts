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

  private constructor(fd: number) {
    super();
    this.fd = fd;
  }

  /** Opens (creating, mode 0640) the log for appending. @throws the file system's error. */
  static async open(file: string): Promise<JsonFileLog> {
    // TODO(lesson-11): Open the file for appending with a plain fd (promisify(fs.open)), not a FileHandle, and construct the log.
    void file;
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
    void stream, line;
    throw new NotImplementedError('lesson-11: JsonFileLog.append');
  }
}

/** The entries of a log file (none when it does not exist), filtered by `options`. */
export function readLog(file: string, options: ReadLogOptions = {}): AsyncIterable<LogEntry> {
  // TODO(lesson-11): Return readRange(file, undefined, options).
  void file, options;
  throw new NotImplementedError('lesson-11: readLog');
}

/**
 * The file's entries, then the live log's new ones until it closes: with no
 * gap and no duplicate, because the live entries are queued from the moment
 * the file's current end is taken. `live` undefined (or closed) → like
 * {@link readLog}. An `until` in the past ends the stream early.
 */
export async function* followLog(file: string, live: JsonFileLog | undefined, options: ReadLogOptions = {}): AsyncIterable<LogEntry> {
  // TODO(lesson-11): Listen for "entry" and "close" FIRST, then take the file size: the file below it, then the queued live entries.
  // HINT: Without live (or when it is closed) it is just readLog. Wait for new entries with a promise the listener resolves; remove the listeners in a finally.
  void file, live, options;
  throw new NotImplementedError('lesson-11: followLog');
}

/** Entries of `file` up to byte `end` (undefined = its current size). */
async function* readRange(file: string, end: number | undefined, options: ReadLogOptions): AsyncIterable<LogEntry> {
  // TODO(lesson-11): Open the file (none → no entries), start at tailStart() when tail is set, parse each line, apply since and until.
  // HINT: Compare times with timeNanos(): since/until are unix seconds (since * 1e9 as a bigint).
  void file, end, options;
  throw new NotImplementedError('lesson-11: readRange');
}

/** The offset where the last `n` lines of [0, size) begin, found reading backwards in chunks. */
async function tailStart(handle: fsp.FileHandle, size: number, n: number): Promise<number> {
  // TODO(lesson-11): Read CHUNK-sized blocks backwards from size - 1 (the last "\n" belongs to the last line), count "\n"s; after the n-th, that is the start.
  void handle, size, n;
  throw new NotImplementedError('lesson-11: tailStart');
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
