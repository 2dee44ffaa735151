/**
 * The registry's closed error set: the OCI distribution-spec error codes, and
 * the ONE place where they become HTTP statuses and the JSON envelope
 *
 * ```json
 * { "errors": [{ "code": "BLOB_UNKNOWN", "message": "blob unknown to registry", "detail": { "digest": "sha256:…" } }] }
 * ```
 * Every route throws a {@link RegistryError}; the server answers it with {@link sendRegistryError}.
 */
import type { ServerResponse } from 'node:http';
import { NotImplementedError } from '../errors.js';

/** The error codes of distribution-spec v1.1 (§ Error Codes, code-1 … code-14). */
export type ErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS';

/** The spec's description of each code: the default `message`. */
export const ERROR_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a manifest or blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown to registry',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  SIZE_INVALID: 'provided length did not match content length',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'the operation is unsupported',
  TOOMANYREQUESTS: 'too many requests',
};

/** One entry of the envelope's `errors` array. */
export interface ErrorEntry {
  code: ErrorCode;
  message: string;
  detail?: unknown;
}

/** Extra parts of a {@link RegistryError}. */
export interface RegistryErrorOptions {
  /** Free-form JSON for the client, e.g. `{ digest }`. */
  detail?: unknown;
  /** Further entries for the same reply, e.g. one MANIFEST_BLOB_UNKNOWN per missing blob. */
  more?: ErrorEntry[];
  /** A status the code alone does not give: 416 for an out-of-order chunk. */
  status?: number;
  /** Headers the reply must carry, e.g. `Range` and `Location` with a 416. */
  headers?: Record<string, string>;
}

/** An error a route answers with: one or more OCI codes, and the HTTP status they map to. */
export class RegistryError extends Error {
  /** Every entry of the reply; the first is this error's own code. */
  readonly entries: ErrorEntry[];
  readonly detail: unknown;
  /** The status to answer with: {@link statusForCode} unless the options gave one. */
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_MESSAGES[code],
    options: RegistryErrorOptions = {},
  ) {
    super(message);
    this.name = 'RegistryError';
    this.detail = options.detail;
    this.status = options.status ?? statusForCode(code);
    this.headers = options.headers ?? {};
    const own: ErrorEntry = { code, message, ...(options.detail === undefined ? {} : { detail: options.detail }) };
    this.entries = [own, ...(options.more ?? [])];
  }
}

/**
 * The HTTP status of a code: 400 for a bad request (invalid digest, name,
 * manifest, upload, size), 401 UNAUTHORIZED, 403 DENIED, 404 for anything
 * unknown, 405 UNSUPPORTED, 429 TOOMANYREQUESTS.
 */
export function statusForCode(code: ErrorCode): number {
  // TODO(lesson-07): Map each error code to its HTTP status: the unknowns 404, the invalid ones 400, UNAUTHORIZED 401, DENIED 403, UNSUPPORTED 405, TOOMANYREQUESTS 429.
  // HINT: a `switch (code)` without a default lets TypeScript check that every code has a status.
  // HINT: MANIFEST_BLOB_UNKNOWN is a bad request (400), not a 404: the manifest was sent, its blobs are missing.
  throw new NotImplementedError('lesson-07: statusForCode');
}

/** The JSON envelope of an error: `{"errors":[{code,message,detail?}, …]}`. */
export function errorEnvelope(err: RegistryError): { errors: ErrorEntry[] } {
  // TODO(lesson-07): Return the JSON envelope `{ errors: err.entries }`.
  throw new NotImplementedError('lesson-07: errorEnvelope');
}

/**
 * Answers a failed request. A {@link RegistryError} gets its status, its
 * headers and its envelope (HEAD: the status and headers, no body); anything else is a 500
 * with code `UNKNOWN` (distribution's code for an internal error). Once a response has
 * started streaming there is nothing to answer: the connection is destroyed.
 */
export function sendRegistryError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  // TODO(lesson-07): Answer with the error's status, its headers and the JSON envelope; anything not a RegistryError is a 500 with code UNKNOWN.
  // HINT: check res.headersSent first: once a blob is streaming, res.destroy() is all that is left.
  // HINT: a HEAD reply carries the status and headers but no body; Content-Length is Buffer.byteLength(body).
  throw new NotImplementedError('lesson-07: sendRegistryError');
}
