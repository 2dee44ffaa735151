/**
 * Provided: the error classes lesson 08 throws.
 *
 * The registry client's errors. A registry answers a failed request with the
 * OCI distribution error envelope,
 * `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…","detail":…}]}`;
 * {@link RegistryResponseError} keeps its first code, so a caller tests `err.code`,
 * never a message string. Content that does not match its digest or size is
 * reported with the image store's `DigestMismatchError` and `SizeMismatchError`.
 */
import type { Platform } from '../image/types.js';

/** One entry of the OCI error envelope. */
export interface ResponseErrorEntry {
  /** An OCI code (`BLOB_UNKNOWN`, `MANIFEST_UNKNOWN`, `UNAUTHORIZED` …). */
  code: string;
  message?: string;
  detail?: unknown;
}

/** A registry answered with a status the client did not expect. */
export class RegistryResponseError extends Error {
  constructor(
    /** The HTTP status, e.g. 404. */
    readonly status: number,
    /** The first OCI error code of the body; `UNKNOWN` when the body had none. */
    readonly code: string,
    /** What was asked: `GET http://127.0.0.1:5000/v2/x/manifests/latest`. */
    readonly request: string,
    message: string,
    /** Every entry of the error envelope (empty when the body was not one). */
    readonly errors: ResponseErrorEntry[] = [],
  ) {
    super(message);
    this.name = 'RegistryResponseError';
  }
}

/**
 * Builds a {@link RegistryResponseError} from a response, reading (and so releasing)
 * its body. A body that is not an OCI error envelope gives the code `UNKNOWN`
 * and the status text as the message.
 */
export async function responseErrorFrom(response: Response, request: string): Promise<RegistryResponseError> {
  const text = await response.text().catch(() => '');
  let errors: ResponseErrorEntry[] = [];
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) {
      errors = parsed.errors.filter((e): e is ResponseErrorEntry => typeof (e as ResponseErrorEntry | null)?.code === 'string');
    }
  } catch {
    // not JSON: a proxy's HTML page, an empty body
  }
  const first = errors[0];
  const what = first === undefined ? `${response.status} ${response.statusText}`.trim() : `${first.code}: ${first.message ?? ''}`.trim();
  return new RegistryResponseError(response.status, first?.code ?? 'UNKNOWN', request, `${request}: ${what}`, errors);
}

/** An index has no manifest for the wanted platform. */
export class NoMatchingPlatformError extends Error {
  constructor(
    /** The platform asked for. */
    readonly platform: Platform,
    /** The platforms the index offers, as `os/architecture[/variant]`. */
    readonly available: string[],
  ) {
    super(`no matching manifest for ${formatPlatform(platform)} in the manifest list entries (available: ${available.join(', ') || 'none'})`);
    this.name = 'NoMatchingPlatformError';
  }
}

/** `linux/amd64`, `linux/arm64/v8`: a platform as docker prints it. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((part) => part !== undefined && part !== '').join('/');
}
