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
  switch (code) {
    case 'BLOB_UNKNOWN':
    case 'BLOB_UPLOAD_UNKNOWN':
    case 'MANIFEST_UNKNOWN':
    case 'NAME_UNKNOWN':
      return 404;
    case 'BLOB_UPLOAD_INVALID':
    case 'DIGEST_INVALID':
    case 'MANIFEST_BLOB_UNKNOWN':
    case 'MANIFEST_INVALID':
    case 'NAME_INVALID':
    case 'SIZE_INVALID':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'DENIED':
      return 403;
    case 'UNSUPPORTED':
      return 405;
    case 'TOOMANYREQUESTS':
      return 429;
  }
}

/** The JSON envelope of an error: `{"errors":[{code,message,detail?}, …]}`. */
export function errorEnvelope(err: RegistryError): { errors: ErrorEntry[] } {
  return { errors: err.entries };
}

/**
 * Answers a failed request. A {@link RegistryError} gets its status, its
 * headers and its envelope (HEAD: the status and headers, no body); anything else is a 500
 * with code `UNKNOWN` (distribution's code for an internal error). Once a response has
 * started streaming there is nothing to answer: the connection is destroyed.
 */
export function sendRegistryError(res: ServerResponse, err: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = err instanceof RegistryError ? err.status : 500;
  if (err instanceof RegistryError) headers = { ...headers, ...err.headers };
  const body =
    err instanceof RegistryError
      ? JSON.stringify(errorEnvelope(err))
      : JSON.stringify({ errors: [{ code: 'UNKNOWN', message: (err as Error)?.message ?? String(err) }] });
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}
