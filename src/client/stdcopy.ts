/**
 * Docker's multiplexed stream format ("stdcopy"): stdout and stderr share one
 * connection as frames with an 8-byte header.
 *
 * ```
 * ┌──────┬───────┬──────────────────┬──────────────┐
 * │ type │ 0 0 0 │ length (uint32BE)│ payload …    │
 * └──────┴───────┴──────────────────┴──────────────┘
 *  0 stdin, 1 stdout, 2 stderr, 3 systemerr
 * ```
 * A frame may arrive split across several reads, and one read may carry
 * several frames.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { NotImplementedError } from '../errors.js';

/** The stream a frame belongs to, by its type byte. */
export type StreamType = 'stdin' | 'stdout' | 'stderr' | 'systemerr';

/** Index = the type byte of a frame header. */
const STREAM_TYPES: readonly StreamType[] = ['stdin', 'stdout', 'stderr', 'systemerr'];
const HEADER_LENGTH = 8;

/** One decoded frame. */
export interface Frame {
  stream: StreamType;
  payload: Buffer;
}

/**
 * Decodes frames from a byte stream, yielding each complete frame (a
 * zero-length frame is yielded with an empty payload). The length is read
 * big-endian from header bytes 4–7.
 * @throws Error when a header has an unknown type byte, or the stream ends inside a frame.
 */
export async function* readFrames(source: AsyncIterable<Buffer | string>): AsyncGenerator<Frame> {
  // TODO(lesson-01): Buffer the incoming bytes and yield one Frame per complete header + payload.
  // HINT: STREAM_TYPES[type byte] names the stream; buffer.readUInt32BE(4) is the payload length.
  // HINT: A read may end inside a header or a payload: keep the leftover bytes for the next read.
  void source;
  throw new NotImplementedError('lesson-01: readFrames');
}

/**
 * Copies a multiplexed stream to two writables: stdout frames to `stdout`,
 * stderr and systemerr frames to `stderr` (stdin frames, which a daemon may
 * echo, to `stdout`, as docker does). When a writable's buffer is full it waits
 * for `drain` before reading on. Resolves when the source ends, without ending
 * the writables.
 * @throws Error as {@link readFrames} does, or the writable's error.
 */
export async function demultiplex(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  // TODO(lesson-01): Route each frame's payload to stdout or stderr.
  // HINT: When write() returns false, `await once(target, 'drain')` before writing the next payload.
  void source, stdout, stderr;
  throw new NotImplementedError('lesson-01: demultiplex');
}
