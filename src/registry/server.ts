/**
 * `minidocker-registry`'s HTTP server: routes the distribution API to the
 * handlers of blob-routes.ts and manifest-routes.ts, checks credentials when
 * auth is on, and answers every failure with the OCI error envelope.
 *
 * ```
 * GET  /v2/                                   200 {}        (end-1)
 * GET  /v2/_catalog                           200 {repositories}
 * *    /v2/<name>/blobs/<digest>              GET HEAD DELETE
 * *    /v2/<name>/blobs/uploads/[<uuid>]      POST | GET PATCH PUT DELETE
 * *    /v2/<name>/manifests/<reference>       GET HEAD PUT DELETE
 * GET  /v2/<name>/tags/list
 * GET  /token                                 token mode only: the token endpoint
 * ```
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotImplementedError } from '../errors.js';
import { Authenticator, loadHtpasswd, requiredScope } from './auth.js';
import { cancelUpload, completeUpload, deleteBlob, getBlob, patchUpload, startUpload, uploadStatus } from './blob-routes.js';
import { RegistryError, sendRegistryError } from './errors.js';
import { deleteManifest, getManifest, listRepositories, listTags, putManifest } from './manifest-routes.js';
import { parseRepositoryName } from './names.js';
import type { RegistryRouteContext } from './route-context.js';
import { RegistryStorage } from './storage.js';
import { UploadStore } from './uploads.js';

/** The header every reply carries: the Docker Registry HTTP API v2 marker clients look for. */
export const API_VERSION_HEADER = { 'Docker-Distribution-API-Version': 'registry/2.0' } as const;

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** `host:port` to listen on; port 0 lets the OS choose. Default `127.0.0.1:5000`. */
  listen?: string;
  /** Where repositories, blobs and uploads are kept (created when missing). */
  root: string;
  /** An htpasswd file: turns on auth (Basic unless `auth` says token). */
  htpasswd?: string;
  /** `basic` or `token`; needs `htpasswd`. */
  auth?: 'basic' | 'token';
  /** The token endpoint's URL in Bearer challenges; default `http://<listen address>/token`. */
  tokenRealm?: string;
  /** Allow a non-loopback listen address (default false: loopback only). */
  allowRemote?: boolean;
}

/** A running registry. */
export interface Registry {
  /** `http://127.0.0.1:<port>` (the port the OS chose for port 0). */
  url: string;
  /** The `host:port` clients use in image references, e.g. `127.0.0.1:5000`. */
  host: string;
  root: string;
  /** Stops listening, closes every connection; resolves when the server has closed. */
  close(): Promise<void>;
}

type Handler = (ctx: RegistryRouteContext, param: string) => Promise<void>;

/** The routes of a repository: the path after `/v2/<name>/`, by method. */
const ROUTES: { pattern: RegExp; methods: Record<string, Handler> }[] = [
  { pattern: /^blobs\/uploads\/?$/, methods: { POST: startUpload } },
  {
    pattern: /^blobs\/uploads\/([^/]+)$/,
    methods: { GET: uploadStatus, PATCH: patchUpload, PUT: completeUpload, DELETE: cancelUpload },
  },
  { pattern: /^blobs\/([^/]+)$/, methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob } },
  { pattern: /^manifests\/([^/]+)$/, methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest } },
  { pattern: /^tags\/list$/, methods: { GET: listTags } },
];

/** Splits `/v2/<name>/<rest>` at the last place where a known route starts. */
const REPOSITORY_PATH = /^\/v2\/(.+?)\/(blobs\/uploads\/?[^/]*|blobs\/[^/]+|manifests\/[^/]+|tags\/list)$/;

/**
 * Starts the registry: storage under `root`, HTTP on `listen`.
 * @throws Error for a non-loopback address without `allowRemote`, auth without
 *   an htpasswd file, or a port in use (EADDRINUSE).
 */
export async function startRegistry(options: RegistryOptions): Promise<Registry> {
  // TODO(lesson-07): Refuse a non-loopback address (unless allowRemote), make the stores and the Authenticator, listen, and return {url, host, root, close}.
  // HINT: server.listen(port, hostname); server.address() gives the port the OS chose for port 0.
  // HINT: close(): server.close() and server.closeAllConnections(), so keep-alive clients do not hold it open.
  // HINT: in token mode, set auth.realm to options.tokenRealm ?? `${url}/token` once the url is known.
  throw new NotImplementedError('lesson-07: startRegistry');
}

/** Answers one request; never throws (failures become error replies). */
async function handle(req: IncomingMessage, res: ServerResponse, storage: RegistryStorage, uploads: UploadStore, auth?: Authenticator): Promise<void> {
  // TODO(lesson-07): Set the API version header, serve /token (token mode), /v2/ and /v2/_catalog, else match REPOSITORY_PATH, check the name and the credentials, and call the ROUTES handler for the method.
  // HINT: no route: 404; a known route with another method: 405 UNSUPPORTED; every failure goes through sendRegistryError.
  throw new NotImplementedError('lesson-07: handle');
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces, refused without allowRemote). */
export function parseListen(listen: string): { hostname: string; port: number } {
  // TODO(lesson-07): Split `host:port` or `[v6]:port` into hostname and port; throw for anything else.
  throw new NotImplementedError('lesson-07: parseListen');
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  // TODO(lesson-07): Accept localhost, ::1 and 127.x.y.z only.
  throw new NotImplementedError('lesson-07: isLoopback');
}

const unsupported = (method: string, pathname: string) =>
  new RegistryError('UNSUPPORTED', `${method} is not supported on ${pathname}`, { status: 405 });
