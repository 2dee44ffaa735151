/**
 * Provided: the Engine API's error vocabulary, which the client and daemon lessons throw and map.
 *
 * The closed set of Engine API errors, named after Docker's `errdefs` classes.
 *
 * Both sides use it: the daemon throws these and maps each kind to one HTTP
 * status (lesson 03); the client turns a daemon's `{ "message": … }` reply back
 * into the same classes, keeping the status code it saw (lesson 01). Code that
 * needs to react to "not found" (like `minidocker run` pulling a missing image)
 * tests `err instanceof NotFoundError`, never a message string.
 */

/** The kinds of failure the Engine API distinguishes. */
export type ErrorKind = 'invalid-parameter' | 'not-found' | 'conflict' | 'not-modified' | 'request-too-large' | 'not-implemented' | 'system';

/** Options shared by every Engine API error. */
export interface EngineErrorOptions {
  /** The HTTP status the client received, when the error came over the wire. */
  statusCode?: number;
  /** The lower-level error, if any. */
  cause?: unknown;
}

/** Base class of every Engine API error. */
export abstract class EngineError extends Error {
  /** Which of the Engine API's error classes this is. */
  abstract readonly kind: ErrorKind;
  /** The HTTP status seen by a client; undefined for errors raised locally. */
  readonly statusCode: number | undefined;

  constructor(message: string, options: EngineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.statusCode = options.statusCode;
  }
}

/** The request is malformed: bad JSON, a missing or invalid parameter (HTTP 400). */
export class InvalidParameterError extends EngineError {
  readonly kind = 'invalid-parameter' as const;
}

/** The object (route, image, container) does not exist (HTTP 404). */
export class NotFoundError extends EngineError {
  readonly kind = 'not-found' as const;
}

/** The request clashes with the current state: a name in use, a running container (HTTP 409). */
export class ConflictError extends EngineError {
  readonly kind = 'conflict' as const;
}

/** Nothing to do: the container is already started or stopped (HTTP 304). */
export class NotModifiedError extends EngineError {
  readonly kind = 'not-modified' as const;
}

/** A request body larger than the daemon reads for its kind of request (HTTP 413). */
export class RequestTooLargeError extends EngineError {
  readonly kind = 'request-too-large' as const;
}

/**
 * The daemon knows the request but cannot do it for this object, e.g. read
 * the logs of a container whose log driver keeps none (HTTP 501, docker's
 * errdefs.NotImplemented).
 */
export class UnimplementedError extends EngineError {
  readonly kind = 'not-implemented' as const;
}

/** Anything else went wrong inside the daemon (HTTP 500). */
export class SystemError extends EngineError {
  readonly kind = 'system' as const;
}

/**
 * The client could not reach a daemon at all: no socket file, or nobody
 * listening on it. Not an HTTP error, so it has no status code.
 */
export class DaemonUnreachableError extends Error {
  /** The `unix://` address that was tried. */
  readonly host: string;

  constructor(host: string, options: { cause?: unknown } = {}) {
    super(`Cannot connect to the minidocker daemon at ${host}. Is the minidocker daemon running?`, options);
    this.name = 'DaemonUnreachableError';
    this.host = host;
  }
}
