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
  const colon = value.indexOf(':');
  if (colon < 0) throw new InvalidDigestError(value, `missing the algorithm prefix, expected ${DIGEST_ALGORITHM}:<64 hex>`);
  const algorithm = value.slice(0, colon);
  const encoded = value.slice(colon + 1);
  if (algorithm !== DIGEST_ALGORITHM) {
    throw new InvalidDigestError(value, `unsupported algorithm "${algorithm}", only ${DIGEST_ALGORITHM} is accepted`);
  }
  if (encoded.length !== 64) {
    throw new InvalidDigestError(value, `a ${DIGEST_ALGORITHM} digest has 64 hex characters, this one has ${encoded.length}`);
  }
  if (!/^[0-9a-f]{64}$/.test(encoded)) {
    // The spec allows only lowercase: two spellings of one digest would be two blobs.
    if (/^[0-9a-fA-F]{64}$/.test(encoded)) throw new InvalidDigestError(value, 'the hex characters must be lowercase');
    throw new InvalidDigestError(value, 'the encoded part must be hex (0-9, a-f) only');
  }
  return value as Digest;
}

/** True when `value` is a string {@link parseDigest} would accept. */
export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}

/** The hex part of a digest (the blob's file name in the store). */
export function digestHex(digest: Digest): string {
  return digest.slice(DIGEST_ALGORITHM.length + 1);
}

/** The digest of bytes in memory (small things: manifests, configs). */
export function digestOf(data: Uint8Array | string): Digest {
  // A string is hashed as its UTF-8 bytes, the bytes that would be written to disk.
  return `${DIGEST_ALGORITHM}:${createHash(DIGEST_ALGORITHM).update(data).digest('hex')}` as Digest;
}

/**
 * Digests a stream without holding it in memory.
 * @returns the digest and the number of bytes read.
 */
export async function digestOfStream(source: AsyncIterable<Uint8Array | string>): Promise<{ digest: Digest; size: number }> {
  const hash = createHash(DIGEST_ALGORITHM);
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
  }
  return { digest: `${DIGEST_ALGORITHM}:${hash.digest('hex')}` as Digest, size };
}

/**
 * A pass-through stream that hashes and counts what flows through it; read
 * {@link DigestTransform.digest} and {@link DigestTransform.size} once it has ended.
 */
export class DigestTransform extends Transform {
  readonly #hash: Hash = createHash(DIGEST_ALGORITHM);
  #size = 0;
  #digest: Digest | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    // A Hash can be finished only once: keep the result for every later read.
    this.#digest = `${DIGEST_ALGORITHM}:${this.#hash.digest('hex')}` as Digest;
    callback();
  }

  /**
   * The digest of everything that passed through.
   * @throws Error when read before the stream has ended.
   */
  get digest(): Digest {
    if (this.#digest === undefined) throw new Error('DigestTransform.digest read before the stream ended');
    return this.#digest;
  }

  /** The number of bytes that passed through so far. */
  get size(): number {
    return this.#size;
  }
}
