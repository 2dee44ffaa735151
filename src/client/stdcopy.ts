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
import type { Readable, Writable } from 'node:stream';
import { NotImplementedError } from '../errors.js';

/** The stream a frame belongs to, by its type byte. */
export type StreamType = 'stdin' | 'stdout' | 'stderr' | 'systemerr';

/** One decoded frame. */
export interface Frame {
  stream: StreamType;
  payload: Buffer;
}

/**
 * Decodes frames from a byte stream, yielding each complete frame.
 * @throws Error when a header has an unknown type byte, or the stream ends inside a frame.
 */
export async function* readFrames(source: AsyncIterable<Buffer | string>): AsyncGenerator<Frame> {
  // TODO(lesson-01): Buffer the incoming bytes and yield one Frame per complete header + payload.
  void source;
  throw new NotImplementedError('lesson-01: readFrames');
}

/**
 * Copies a multiplexed stream to two writables: stdout frames to `stdout`,
 * stderr and systemerr frames to `stderr`. Resolves when the source ends.
 */
export async function demultiplex(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  // TODO(lesson-01): Route each frame's payload to stdout or stderr.
  void source, stdout, stderr;
  throw new NotImplementedError('lesson-01: demultiplex');
}
