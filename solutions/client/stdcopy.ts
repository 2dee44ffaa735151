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
  let chunks: Buffer[] = [];
  let size = 0;
  let wanted = HEADER_LENGTH; // bytes needed before the next frame can be complete
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(bytes);
    size += bytes.length;
    // Joining only once a frame can be complete keeps a frame split into many reads linear.
    if (size < wanted) continue;
    let buffered = Buffer.concat(chunks, size);
    while (buffered.length >= HEADER_LENGTH) {
      const type = buffered[0] ?? -1;
      const stream = STREAM_TYPES[type];
      if (stream === undefined) throw new Error(`unrecognized stream type ${type} in multiplexed stream`);
      const end = HEADER_LENGTH + buffered.readUInt32BE(4);
      if (buffered.length < end) break; // the rest of the payload is still on its way
      yield { stream, payload: buffered.subarray(HEADER_LENGTH, end) };
      buffered = buffered.subarray(end);
    }
    chunks = [buffered];
    size = buffered.length;
    wanted = size >= HEADER_LENGTH ? HEADER_LENGTH + buffered.readUInt32BE(4) : HEADER_LENGTH;
  }
  if (size > 0) throw new Error(`multiplexed stream ended inside a frame (${size} bytes left over)`);
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
  for await (const { stream, payload } of readFrames(source)) {
    if (payload.length === 0) continue;
    // docker's stdcopy sends stdin frames (a daemon echoing input) to stdout too.
    const target = stream === 'stderr' || stream === 'systemerr' ? stderr : stdout;
    // Backpressure: a slow terminal makes us stop reading, and the daemon waits.
    if (!target.write(payload)) await once(target, 'drain');
  }
}
