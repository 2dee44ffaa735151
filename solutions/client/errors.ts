/**
 * The daemon's error replies, turned back into the errdefs classes the daemon
 * threw (moby's `client/errors.go` and `checkResponseErr`):
 *
 * ```
 * 404 {"message": "No such container: web"}  → NotFoundError('No such container: web', { statusCode: 404 })
 * 500 plain text failure                      → SystemError('plain text failure', { statusCode: 500 })
 * 409 (empty body)                            → ConflictError('Conflict', { statusCode: 409 })
 * ```
 */
import http from 'node:http';
import { ConflictError, InvalidParameterError, NotFoundError, NotModifiedError, RequestTooLargeError, SystemError } from '../errdefs.js';
import type { EngineError } from '../errdefs.js';

/**
 * Turns an error response into the matching errdefs class, keeping the status:
 * the message comes from a JSON body's `message`, else the body text, else the
 * status text (`Not Found`). 400 → InvalidParameterError, 404 → NotFoundError,
 * 409 → ConflictError, 304 → NotModifiedError, 413 → RequestTooLargeError, anything else → SystemError.
 */
export function errorFromResponse(statusCode: number, body: string): EngineError {
  let message = body.trim();
  try {
    const parsed: unknown = JSON.parse(message);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
      message = parsed.message.trim();
    }
  } catch {
    // Not JSON: the text itself is the message (a proxy's HTML page, a plain-text error).
  }
  if (message === '') message = http.STATUS_CODES[statusCode] ?? `status ${statusCode}`;
  const options = { statusCode };
  switch (statusCode) {
    case 400:
      return new InvalidParameterError(message, options);
    case 404:
      return new NotFoundError(message, options);
    case 409:
      return new ConflictError(message, options);
    case 304:
      return new NotModifiedError(message, options);
    case 413:
      return new RequestTooLargeError(message, options);
    default:
      return new SystemError(message, options);
  }
}
