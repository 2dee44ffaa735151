/**
 * The daemon's HTTP vocabulary: read a JSON body, send a JSON reply, and turn
 * any error into Docker's `{ "message": … }` reply with the right status.
 *
 * `sendError` is the ONE place where the Engine API error classes
 * (`api/errdefs.ts`) become HTTP statuses, so every route fails the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, InvalidParameterError, RequestTooLargeError } from '../../errdefs.js';
import { API_VERSION } from '../../api/types.js';
import { NotImplementedError } from '../../errors.js';

/**
 * Headers dockerd puts on every response (engine-api §1). The docker CLI reads
 * them from `/_ping`; sending them everywhere costs nothing and matches dockerd.
 * @param serverVersion the daemon's own version, shown in `Server: minidocker/<version> (linux)`.
 */
export function engineHeaders(serverVersion: string): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `minidocker/${serverVersion} (linux)`,
  };
}

/**
 * The most a JSON request body may hold: 1 MiB is far more than any create or
 * exec request needs. Bodies sized by the user (a build context, an archive)
 * are streams and are not read through {@link readJson}.
 */
export const MAX_JSON_BODY = 1024 * 1024;

/**
 * Reads a request body as JSON. Fields the daemon does not know are kept (and
 * later ignored by the handler): clients send newer fields than we speak.
 * The `Content-Type` is not checked, as dockerode and the CLI disagree on it.
 * The size cap is enforced while reading, not only from `Content-Length`
 * (a chunked body has none): reading stops at the first byte past `limit`, so
 * a huge body never sits in the daemon's memory.
 * @returns the parsed value; `{}` for an empty body.
 * @throws InvalidParameterError (HTTP 400) with `invalid JSON: …` for a malformed body;
 *   RequestTooLargeError (HTTP 413) `request body is larger than <limit> bytes` past `limit`.
 */
export async function readJson<T = Record<string, unknown>>(req: IncomingMessage, limit: number = MAX_JSON_BODY): Promise<T> {
  // TODO(lesson-03): Read the body, at most `limit` bytes, and parse it as JSON; an empty body is {}.
  // HINT: a Content-Length above the limit is refused before reading; then count the bytes of each 'data'
  // HINT: event and reject with RequestTooLargeError (after req.pause()) as soon as they pass the limit.
  // HINT: not `for await`: leaving that loop early destroys the request, and the 413 could not be sent.
  // HINT: wrap JSON.parse's SyntaxError in an InvalidParameterError whose message starts with "invalid JSON: ".
  throw new NotImplementedError('lesson-03: readJson');
}

/**
 * Sends `value` as a JSON reply with `Content-Type: application/json`.
 * Like dockerd, the body ends with a newline.
 */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  // TODO(lesson-03): Write `status` with Content-Type application/json and the JSON text plus a newline.
  // HINT: set Content-Length with Buffer.byteLength(body), not body.length (UTF-8!).
  throw new NotImplementedError('lesson-03: sendJson');
}

/**
 * The HTTP status for an error: InvalidParameter 400, NotFound 404, Conflict
 * 409, NotModified 304, RequestTooLarge 413, Unimplemented 501; anything else (SystemError, a plain Error, a stub's
 * NotImplementedError) is a 500.
 */
export function statusForError(err: unknown): number {
  // TODO(lesson-03): Map an EngineError's `kind` to its HTTP status; anything else is 500.
  // HINT: a `switch (err.kind)` over ErrorKind lets TypeScript check you covered every kind.
  throw new NotImplementedError('lesson-03: statusForError');
}

/**
 * Answers a failed request: the status from {@link statusForError} and a body
 * `{"message": "<err.message>"}`; a 304 has no body; a 413 says
 * `Connection: close`, since the rest of its body was never read. When the
 * handler already sent the headers (a stream broke half-way) a status can no
 * longer be changed, so the connection is destroyed instead: the client sees
 * a cut stream rather than a truncated success.
 */
export function sendError(res: ServerResponse, err: unknown): void {
  // TODO(lesson-03): Reply with statusForError(err) and {"message": err.message}; a 304 gets no body, a 413 `Connection: close`.
  // HINT: check res.headersSent first: once a stream has started, res.destroy() is all that is left.
  throw new NotImplementedError('lesson-03: sendError');
}
