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
import { NotImplementedError } from '../errors.js';

/**
 * Turns an error response into the matching errdefs class, keeping the status:
 * the message comes from a JSON body's `message`, else the body text, else the
 * status text (`Not Found`). 400 → InvalidParameterError, 404 → NotFoundError,
 * 409 → ConflictError, 304 → NotModifiedError, 413 → RequestTooLargeError, anything else → SystemError.
 */
export function errorFromResponse(statusCode: number, body: string): EngineError {
  // TODO(lesson-01): Map the status code to an errdefs class and extract the daemon's message.
  // HINT: JSON.parse throws on a plain-text body; http.STATUS_CODES[404] is the status text "Not Found".
  void statusCode, body;
  throw new NotImplementedError('lesson-01: errorFromResponse');
}
