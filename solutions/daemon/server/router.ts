/**
 * A small router for the Engine API, behaving like dockerd's:
 *
 * - every route answers both `/v1.NN/path` and the unversioned `/path`;
 * - a version outside [MIN_API_VERSION, API_VERSION] is refused with 400;
 * - an unknown path, or a known path with the wrong method, is a 404
 *   `{"message":"page not found"}` (dockerd answers wrong methods with 404, not 405);
 * - query parameters the handler does not read are simply ignored.
 *
 * Patterns are strings with `{name}` parameters matching one path segment
 * (`/containers/{id}/start`), or RegExps with named groups for values that
 * contain slashes, such as image names (`/^\/images\/(?<name>.+)\/json$/`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidParameterError, NotFoundError } from '../../errdefs.js';
import { API_VERSION, MIN_API_VERSION } from '../../api/types.js';
import { sendError } from './http.js';

/** What a route handler gets. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters by name, URI-decoded, e.g. `{ id: 'web' }`. */
  params: Record<string, string>;
  /** The query string; unknown parameters are there too, and are ignored by not reading them. */
  query: URLSearchParams;
  /** The version from the `/v1.NN/` prefix, or API_VERSION for an unversioned path. */
  apiVersion: string;
}

/** A route handler. A thrown error becomes the reply through `sendError`. */
export type RouteHandler = (ctx: RouteContext) => Promise<void>;

/** The outcome of {@link Router.match}: the handler and the context values for it. */
export interface RouteMatch {
  handler: RouteHandler;
  params: Record<string, string>;
  query: URLSearchParams;
  apiVersion: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/**
 * Compares two API versions numerically (`1.9` < `1.24` < `1.41`).
 * @returns a negative number, 0 or a positive number, like a sort comparator.
 */
export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Turns a route pattern into an anchored RegExp. In a string, `{name}` becomes
 * a named group matching one segment (`[^/]+`) and everything else matches
 * literally. A RegExp is used as it is (write it anchored: `^…$`).
 */
export function compilePattern(pattern: string | RegExp): RegExp {
  if (pattern instanceof RegExp) return pattern;
  const source = pattern
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
    .map((part) =>
      part.startsWith('{') ? `(?<${part.slice(1, -1)}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Splits an optional `/v1.NN` prefix off a path.
 * @returns the version (undefined when the path has no prefix) and the rest of the path.
 */
export function splitApiVersion(pathname: string): { version: string | undefined; path: string } {
  const m = /^\/v([0-9.]+)(\/.*)$/.exec(pathname);
  return m ? { version: m[1], path: m[2] ?? '/' } : { version: undefined, path: pathname };
}

/** The route table. Add routes, then hand every request to {@link Router.handle}. */
export class Router {
  readonly #routes: Route[] = [];

  /** Registers a handler; a route added earlier wins when two patterns match. */
  add(method: string, pattern: string | RegExp, handler: RouteHandler): this {
    this.#routes.push({ method: method.toUpperCase(), pattern: compilePattern(pattern), handler });
    return this;
  }

  /**
   * Finds the route for a request line.
   * @param url the request target as received, e.g. `/v1.41/containers/json?all=1`.
   * @throws NotFoundError `page not found` when no route has this path and method.
   * @throws InvalidParameterError when the path's API version is outside the supported range.
   */
  match(method: string, url: string): RouteMatch {
    // Split by hand: new URL() would read a leading `//` as a host name.
    const q = url.indexOf('?');
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const { version, path } = splitApiVersion(q < 0 ? url : url.slice(0, q));
    for (const route of this.#routes) {
      if (route.method !== method.toUpperCase()) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      // dockerd checks the version only once a route matched: /v1.99/nope is a 404.
      const apiVersion = version ?? API_VERSION;
      if (compareApiVersions(apiVersion, API_VERSION) > 0) {
        throw new InvalidParameterError(
          `client version ${apiVersion} is too new. Maximum supported API version is ${API_VERSION}`,
        );
      }
      if (compareApiVersions(apiVersion, MIN_API_VERSION) < 0) {
        throw new InvalidParameterError(
          `client version ${apiVersion} is too old. Minimum supported API version is ${MIN_API_VERSION}, ` +
            'please upgrade your client to a newer version',
        );
      }
      const params: Record<string, string> = {};
      for (const [name, value] of Object.entries(m.groups ?? {})) {
        if (value !== undefined) params[name] = safeDecode(value);
      }
      return { handler: route.handler, params, query, apiVersion };
    }
    throw new NotFoundError('page not found');
  }

  /** Routes one request and runs its handler; any error becomes the reply via `sendError`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const { handler, params, query, apiVersion } = this.match(req.method ?? 'GET', req.url ?? '/');
      await handler({ req, res, params, query, apiVersion });
    } catch (err) {
      sendError(res, err);
    }
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
