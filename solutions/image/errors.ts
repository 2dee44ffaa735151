/**
 * The image store's closed error set. The registry lessons map these to the
 * OCI distribution error codes, the daemon to Engine API statuses.
 */
import type { Digest } from './digest.js';

/** A string that is not a valid `sha256:<64 lowercase hex>` digest. */
export class InvalidDigestError extends Error {
  constructor(readonly value: string, reason: string) {
    super(`invalid digest "${value}": ${reason}`);
    this.name = 'InvalidDigestError';
  }
}

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
