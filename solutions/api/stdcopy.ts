/**
 * Provided: the frame format lesson 01 decodes and lesson 12's daemon encodes.
 *
 * Docker's multiplexed stream format ("stdcopy", moby's `pkg/stdcopy`), as
 * both sides know it: the daemon encodes a frame per write (logs, attach,
 * exec), the client decodes them again (lesson 01, `client/stdcopy.ts`).
 *
 * ```
 * ┌──────┬───────┬──────────────────┬──────────────┐
 * │ type │ 0 0 0 │ length (uint32BE)│ payload …    │
 * └──────┴───────┴──────────────────┴──────────────┘
 *  0 stdin, 1 stdout, 2 stderr, 3 systemerr
 *
 * 01 00 00 00 00 00 00 03 68 69 0a    stdout "hi\n"
 * ```
 */

/** The type byte of a frame header: 0 stdin, 1 stdout, 2 stderr, 3 systemerr. */
export type StreamType = 0 | 1 | 2 | 3;

/** The stream a frame belongs to, by name. */
export type StreamName = 'stdin' | 'stdout' | 'stderr' | 'systemerr';

/** Type byte of stdin frames (a daemon may echo input). */
export const STDIN: StreamType = 0;
/** Type byte of stdout frames. */
export const STDOUT: StreamType = 1;
/** Type byte of stderr frames. */
export const STDERR: StreamType = 2;
/** Type byte of "systemerr" frames: errors of the daemon itself, in newer APIs. */
export const SYSTEMERR: StreamType = 3;

/** Stream names by type byte: `STREAM_NAMES[1]` is `'stdout'`; undefined for an unknown byte. */
export const STREAM_NAMES: readonly StreamName[] = ['stdin', 'stdout', 'stderr', 'systemerr'];

/** Bytes in a frame header; the payload length sits in bytes 4–7, big-endian. */
export const FRAME_HEADER_LENGTH = 8;

/**
 * Encodes one frame: the 8-byte header `[type, 0, 0, 0, length (uint32 big-endian)]`
 * followed by the payload.
 */
export function frame(streamType: StreamType, payload: Buffer): Buffer {
  const header = Buffer.alloc(FRAME_HEADER_LENGTH);
  header.writeUInt8(streamType, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
