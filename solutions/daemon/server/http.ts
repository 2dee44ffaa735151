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
  const tooLarge = () => new RequestTooLargeError(`request body is larger than ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  // Events rather than `for await`: leaving that loop early destroys the request and its
  // socket, and the client would never hear the 413.
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      done();
      req.pause(); // nothing more is read; the 413 closes the connection
      reject(tooLarge());
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const done = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
  if (text.trim() === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InvalidParameterError(`invalid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Sends `value` as a JSON reply with `Content-Type: application/json`.
 * Like dockerd, the body ends with a newline.
 */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * The HTTP status for an error: InvalidParameter 400, NotFound 404, Conflict
 * 409, NotModified 304, RequestTooLarge 413, Unimplemented 501; anything else (SystemError, a plain Error, a stub's
 * NotImplementedError) is a 500.
 */
export function statusForError(err: unknown): number {
  if (!(err instanceof EngineError)) return 500;
  switch (err.kind) {
    case 'invalid-parameter':
      return 400;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'not-modified':
      return 304;
    case 'request-too-large':
      return 413;
    case 'not-implemented':
      return 501;
    case 'system':
      return 500;
  }
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
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = statusForError(err);
  if (status === 304) {
    res.writeHead(304);
    res.end();
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  // The rest of a body too large to read is never read: the connection cannot be reused.
  if (status === 413) res.setHeader('Connection', 'close');
  sendJson(res, status, { message });
}
