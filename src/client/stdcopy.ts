/**
 * Decoding Docker's multiplexed stream ("stdcopy"): stdout and stderr share
 * one connection as frames with an 8-byte header. The format itself (type
 * bytes, header length, and `frame()` that encodes one, as the daemon does)
 * is in `api/stdcopy.ts`.
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
import { FRAME_HEADER_LENGTH, STREAM_NAMES } from '../api/stdcopy.js';
import type { StreamName } from '../api/stdcopy.js';
import { NotImplementedError } from '../errors.js';

/** One decoded frame. */
export interface Frame {
  /** The stream, named from the header's type byte (`STREAM_NAMES[type]`). */
  stream: StreamName;
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
  // HINT: STREAM_NAMES[type byte] names the stream; buffer.readUInt32BE(4) is the payload length.
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
