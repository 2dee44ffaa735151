/**
 * Content digests: `sha256:<64 lowercase hex>`, the name of every blob.
 *
 * A `Digest` is a branded string: any string can be shown, but only
 * {@link parseDigest} (or a hash this module computed) makes one, so a value
 * typed `Digest` has always been checked.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { NotImplementedError } from '../errors.js';

/** A validated `sha256:<64 hex>` digest. */
export type Digest = string & { readonly __brand: 'Digest' };

/** The only algorithm the workshop supports. */
export const DIGEST_ALGORITHM = 'sha256';

/** A string that is not a valid `sha256:<64 lowercase hex>` digest. */
export class InvalidDigestError extends Error {
  constructor(readonly value: string, reason: string) {
    super(`invalid digest "${value}": ${reason}`);
    this.name = 'InvalidDigestError';
  }
}

/**
 * Checks and brands a digest string.
 * @throws InvalidDigestError naming the rule broken: no `algorithm:` prefix, an
 *   algorithm other than sha256, or an encoded part that is not 64 lowercase hex characters.
 */
export function parseDigest(value: string): Digest {
  // TODO(lesson-04): Validate "sha256:<64 lowercase hex>" and return it as a Digest, or throw an InvalidDigestError.
  // HINT: Split at the first ':'. Check in order: the prefix is there, the algorithm is sha256, 64 characters, lowercase hex.
  // HINT: The reason names the rule: "missing the algorithm prefix", "unsupported algorithm", "64 hex characters", "lowercase".
  void value;
  throw new NotImplementedError('lesson-04: parseDigest');
}

/** True when `value` is a string {@link parseDigest} would accept. */
export function isDigest(value: unknown): value is Digest {
  // TODO(lesson-04): Tell whether the value is a valid digest, without throwing.
  void value;
  throw new NotImplementedError('lesson-04: isDigest');
}

/** The hex part of a digest (the blob's file name in the store). */
export function digestHex(digest: Digest): string {
  // TODO(lesson-04): Return the part after "sha256:".
  void digest;
  throw new NotImplementedError('lesson-04: digestHex');
}

/** The digest of bytes in memory (small things: manifests, configs). */
export function digestOf(data: Uint8Array | string): Digest {
  // TODO(lesson-04): Hash the bytes with sha256 and return "sha256:<hex>".
  // HINT: createHash('sha256').update(data).digest('hex'); a string is hashed as its UTF-8 bytes.
  void data;
  throw new NotImplementedError('lesson-04: digestOf');
}

/**
 * Digests a stream without holding it in memory.
 * @returns the digest and the number of bytes read.
 */
export async function digestOfStream(source: AsyncIterable<Uint8Array | string>): Promise<{ digest: Digest; size: number }> {
  // TODO(lesson-04): Feed each chunk to a sha256 hash and count the bytes.
  // HINT: Count bytes, not characters: Buffer.byteLength('é') is 2.
  void source;
  throw new NotImplementedError('lesson-04: digestOfStream');
}

/**
 * A pass-through stream that hashes and counts what flows through it; read
 * {@link DigestTransform.digest} and {@link DigestTransform.size} once it has ended.
 */
export class DigestTransform extends Transform {
  // TODO(lesson-04): Keep a sha256 hash, a byte count and the finished digest here.

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // TODO(lesson-04): Hash and count the chunk, then pass it on unchanged.
    // HINT: callback(null, chunk) passes it on.
    void chunk, callback;
    throw new NotImplementedError('lesson-04: DigestTransform._transform');
  }

  override _flush(callback: TransformCallback): void {
    // TODO(lesson-04): Finish the hash and keep the digest, then call back.
    // HINT: Node calls _flush once the last chunk went through; a Hash can only be finished once.
    void callback;
    throw new NotImplementedError('lesson-04: DigestTransform._flush');
  }

  /**
   * The digest of everything that passed through.
   * @throws Error when read before the stream has ended.
   */
  get digest(): Digest {
    // TODO(lesson-04): Return the digest _flush kept, or throw an Error when the stream has not ended yet.
    throw new NotImplementedError('lesson-04: DigestTransform.digest');
  }

  /** The number of bytes that passed through so far. */
  get size(): number {
    // TODO(lesson-04): Return the byte count.
    throw new NotImplementedError('lesson-04: DigestTransform.size');
  }
}
