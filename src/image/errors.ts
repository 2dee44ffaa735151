/**
 * Provided: the errors lessons 04 to 08 throw.
 *
 * The image store's closed error set. The registry lessons map these to the
 * OCI distribution error codes, the daemon to Engine API statuses. A string
 * that is no digest at all is digest.ts's `InvalidDigestError`, next to the
 * parser that throws it.
 */
import type { Digest } from './digest.js';

/** Content whose digest is not the one it was announced with. Nothing was stored. */
export class DigestMismatchError extends Error {
  constructor(readonly expected: Digest, readonly actual: Digest) {
    super(`digest mismatch: expected ${expected}, got ${actual}`);
    this.name = 'DigestMismatchError';
  }
}

/** Content whose length is not the one it was announced with. Nothing was stored. */
export class SizeMismatchError extends Error {
  constructor(readonly expected: number, readonly actual: number) {
    super(`size mismatch: expected ${expected} bytes, got ${actual}`);
    this.name = 'SizeMismatchError';
  }
}

/** No blob with this digest is stored. */
export class BlobNotFoundError extends Error {
  constructor(readonly digest: Digest) {
    super(`blob ${digest} not found`);
    this.name = 'BlobNotFoundError';
  }
}
