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
  let chunks: Buffer[] = [];
  let size = 0;
  let wanted = FRAME_HEADER_LENGTH; // bytes needed before the next frame can be complete
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(bytes);
    size += bytes.length;
    // Joining only once a frame can be complete keeps a frame split into many reads linear.
    if (size < wanted) continue;
    let buffered = Buffer.concat(chunks, size);
    while (buffered.length >= FRAME_HEADER_LENGTH) {
      const type = buffered[0] ?? -1;
      const stream = STREAM_NAMES[type];
      if (stream === undefined) throw new Error(`unrecognized stream type ${type} in multiplexed stream`);
      const end = FRAME_HEADER_LENGTH + buffered.readUInt32BE(4);
      if (buffered.length < end) break; // the rest of the payload is still on its way
      yield { stream, payload: buffered.subarray(FRAME_HEADER_LENGTH, end) };
      buffered = buffered.subarray(end);
    }
    chunks = [buffered];
    size = buffered.length;
    wanted = size >= FRAME_HEADER_LENGTH ? FRAME_HEADER_LENGTH + buffered.readUInt32BE(4) : FRAME_HEADER_LENGTH;
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
