/**
 * Provided: the files of a json-file log (runtime/json-log.ts) on disk, with
 * docker's rotation (`--log-opt max-size=… --log-opt max-file=N`).
 *
 * ```
 * <container dir>/
 * ├── container-json.log     the current file, the one written
 * ├── container-json.log.1   the newest rotated file
 * └── container-json.log.2   … up to .(N-1), the oldest (docker's names)
 * ```
 *
 * A rotation renames, it never copies or truncates: a reader holding a file
 * open keeps reading it, whatever its name becomes. The log rotates
 * synchronously, and {@link openLogFiles} opens synchronously, so in this
 * process no reader ever sees the files half rotated.
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import { InvalidParameterError } from '../errdefs.js';

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
const read = promisify(fs.read);
const close = promisify(fs.close);

/** One file of the log, open for reading: its fd and its size when it was opened. */
export interface OpenLogFile {
  fd: number;
  size: number;
}

/** Rotation limits with their defaults (json-log.ts `LogRotation`): `maxSize` Infinity when unlimited. */
export interface RotationLimits {
  maxSize: number;
  maxFiles: number;
}

/**
 * The limits of json-log.ts's `LogRotation`: no `maxSize` (or one ≤ 0) is
 * unlimited, no `maxFiles` is 1.
 * @throws InvalidParameterError for a max-file below 1 (docker's message).
 */
export function rotationLimits(rotation: { maxSize?: number; maxFiles?: number } = {}): RotationLimits {
  const maxFiles = rotation.maxFiles ?? 1;
  if (!Number.isInteger(maxFiles) || maxFiles < 1) throw new InvalidParameterError('max-file cannot be less than 1');
  const maxSize = rotation.maxSize !== undefined && rotation.maxSize > 0 ? rotation.maxSize : Infinity;
  return { maxSize, maxFiles };
}

/** The name of the `n`th rotated file: `file.n` (`file` itself for 0). */
export function rotatedName(file: string, n: number): string {
  return n === 0 ? file : `${file}.${n}`;
}

/**
 * The log's files as they are now, oldest first: `file.K`, …, `file.1`,
 * `file` (those that exist; none when there is no log). All are opened before
 * this returns, without an await in between: no rotation can fall between two
 * opens, so every entry is in exactly one of them.
 */
export function openLogFiles(file: string): OpenLogFile[] {
  const files: OpenLogFile[] = [];
  try {
    for (let n = 0; ; n++) {
      let fd: number;
      try {
        fd = fs.openSync(rotatedName(file, n), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        if (n === 0) continue; // the rotated files may outlive the current one
        break;
      }
      files.unshift({ fd, size: fs.fstatSync(fd).size });
    }
  } catch (err) {
    for (const { fd } of files) fs.closeSync(fd);
    throw err;
  }
  return files;
}

/** Closes what {@link openLogFiles} opened. */
export async function closeLogFiles(files: OpenLogFile[]): Promise<void> {
  await Promise.all(files.map(({ fd }) => close(fd)));
}

/** Reads up to `length` bytes at `position` into the start of `buffer`; resolves with how many it read. */
export async function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  const { bytesRead } = await read(fd, buffer, 0, length, position);
  return bytesRead;
}

/** The complete lines of [start, end) of the file, without their '\n', read in chunks. */
export async function* lines(fd: number, start: number, end: number): AsyncIterable<Buffer> {
  let rest = Buffer.alloc(0);
  for (let pos = start; pos < end; ) {
    const buffer = Buffer.alloc(Math.min(CHUNK, end - pos));
    const bytesRead = await readAt(fd, buffer, buffer.length, pos);
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

/** Removes `file`; false when it was not there. @throws the file system's other errors. */
export function removeIfExists(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Renames `from` to `to` (atomically replacing `to`); nothing when `from` is not there. @throws the file system's other errors. */
export function renameIfExists(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
