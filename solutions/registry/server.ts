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
  const { hostname, port } = parseListen(options.listen ?? '127.0.0.1:5000');
  if (!options.allowRemote && !isLoopback(hostname)) {
    throw new Error(`refusing to listen on ${hostname}: not a loopback address (use --allow-remote to override)`);
  }
  if (options.auth !== undefined && options.htpasswd === undefined) throw new Error(`--auth ${options.auth} needs --htpasswd FILE`);
  const storage = new RegistryStorage(options.root);
  const uploads = new UploadStore(options.root, storage.blobs);
  const auth =
    options.htpasswd === undefined ? undefined : new Authenticator(options.auth ?? 'basic', await loadHtpasswd(options.htpasswd), '');

  const server = http.createServer((req, res) => {
    void handle(req, res, storage, uploads, auth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
  const url = `http://${host}`;
  if (auth !== undefined) auth.realm = options.tokenRealm ?? `${url}/token`;
  return {
    url,
    host,
    root: options.root,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Answers one request; never throws (failures become error replies). */
async function handle(req: IncomingMessage, res: ServerResponse, storage: RegistryStorage, uploads: UploadStore, auth?: Authenticator): Promise<void> {
  for (const [key, value] of Object.entries(API_VERSION_HEADER)) res.setHeader(key, value);
  try {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === '/token' && auth?.mode === 'token') {
      const body = JSON.stringify(await auth.issueToken(req.headers.authorization, url.searchParams.getAll('scope')));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (url.pathname === '/v2' || url.pathname === '/v2/') {
      await auth?.authorize(req.headers.authorization, null);
      if (method !== 'GET' && method !== 'HEAD') throw unsupported(method, url.pathname);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 });
      res.end(method === 'HEAD' ? undefined : '{}');
      return;
    }
    const ctx: RegistryRouteContext = { req, res, url, storage, uploads, name: '' };
    if (url.pathname === '/v2/_catalog') {
      await auth?.authorize(req.headers.authorization, requiredScope(method, '_catalog'));
      if (method !== 'GET') throw unsupported(method, url.pathname);
      return await listRepositories(ctx);
    }
    const match = REPOSITORY_PATH.exec(url.pathname);
    if (match === null) throw new RegistryError('UNSUPPORTED', `no such endpoint: ${url.pathname}`, { status: 404 });
    ctx.name = parseRepositoryName(decodeURIComponent(match[1]!));
    await auth?.authorize(req.headers.authorization, requiredScope(method, ctx.name));
    const rest = match[2]!;
    for (const route of ROUTES) {
      const m = route.pattern.exec(rest);
      if (m === null) continue;
      const handler = route.methods[method];
      if (handler === undefined) throw unsupported(method, url.pathname);
      return await handler(ctx, decodeURIComponent(m[1] ?? ''));
    }
    throw new RegistryError('UNSUPPORTED', `no such endpoint: ${url.pathname}`, { status: 404 });
  } catch (err) {
    // A client that hangs up mid-stream is no server error: there is no one left to answer.
    const hungUp = res.headersSent;
    sendRegistryError(res, err);
    if (!hungUp && !(err instanceof RegistryError)) console.error(`minidocker-registry: ${req.method} ${req.url}: ${(err as Error)?.stack ?? err}`);
  }
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces, refused without allowRemote). */
export function parseListen(listen: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen);
  if (m === null) throw new Error(`invalid listen address "${listen}": expected host:port, e.g. 127.0.0.1:5000`);
  return { hostname: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

const unsupported = (method: string, pathname: string) =>
  new RegistryError('UNSUPPORTED', `${method} is not supported on ${pathname}`, { status: 405 });
