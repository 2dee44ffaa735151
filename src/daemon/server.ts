/**
 * minidockerd's HTTP server on a unix socket.
 *
 * The socket is the daemon's front door and its only lock: whoever can
 * connect to it can run containers, so it is created owner-only (0600), or
 * 0660 for one group with `--group`. Only one daemon may serve a path; a
 * socket file left behind by a crashed daemon is stale and gets replaced.
 *
 * ```
 * <data root>/        created 0700 if missing; later lessons keep images and containers here
 * <socket path>       srw------- (or srw-rw---- root:<group>), removed on close
 * ```
 */
import http from 'node:http';
import net from 'node:net';
import type { Socket } from 'node:net';
import { chmod, chown, lstat, mkdir, rm } from 'node:fs/promises';
import { NotImplementedError } from '../errors.js';
import { lookupGroupId, packageVersion } from './host-facts.js';
import { engineHeaders } from './http.js';
import { Router } from './router.js';
import { registerSystemRoutes } from './system-routes.js';

/** What every route module may know about the daemon it runs in. */
export interface DaemonInfo {
  /** The unix socket path the daemon listens on. */
  socketPath: string;
  /** The directory holding the daemon's state. */
  dataRoot: string;
  /** The daemon's version, e.g. `0.1.0` (`Server: minidocker/0.1.0 (linux)`). */
  version: string;
}

/** Adds one group of routes (system, images, containers …) to the router. */
export type RouteRegistrar = (router: Router, daemon: DaemonInfo) => void;

/** Options of {@link startDaemon}. */
export interface DaemonOptions {
  socketPath: string;
  dataRoot: string;
  /** A group name (or gid) that gets read-write access: socket mode 0660, group-owned. */
  group?: string;
  /** Defaults to the version in package.json. */
  version?: string;
  /** Route groups added after the system routes. */
  routes?: RouteRegistrar[];
}

/** A running daemon. */
export interface Daemon extends DaemonInfo {
  server: http.Server;
  /** Stops accepting, ends every open connection, removes the socket file. Resolves when done. */
  close(): Promise<void>;
}

/**
 * Starts the daemon: creates the data root (0700), builds the router, replaces
 * a stale socket, listens with owner-only permissions.
 * @throws Error when another daemon listens on the path, when the path is not
 *   a socket, or when `group` names no group. Nothing is left behind then.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  // TODO(lesson-03): Create the data root, wire a Router into an http.Server, then listen on the socket.
  // HINT: resolve options.group with lookupGroupId first (unknown → throw, before touching anything);
  // HINT: mkdir(dataRoot, { recursive: true, mode: 0o700 }); version defaults to packageVersion().
  // HINT: registerSystemRoutes, then every options.routes registrar; the request listener sets
  // HINT: engineHeaders(version) on `res` and calls router.handle(req, res).
  // HINT: track sockets from the 'connection' event in a Set for closeServer; then
  // HINT: removeStaleSocket and listenOnSocket; close() is closeServer(server, connections).
  throw new NotImplementedError('lesson-03: startDaemon');
}

/**
 * Makes `socketPath` free to bind. Nothing there: done. A socket nobody
 * listens on (connect fails with ECONNREFUSED): a crashed daemon's leftover,
 * removed. A socket that accepts a connection belongs to a live daemon, and
 * anything that is not a socket is not ours: both are refused, untouched.
 * @throws Error `another daemon is already listening on <path>`, or `<path> exists and is not a socket …`.
 */
export async function removeStaleSocket(socketPath: string): Promise<void> {
  // TODO(lesson-03): Remove a stale socket; refuse a live one and anything that is not a socket.
  // HINT: lstat (ENOENT → nothing to do; !isSocket() → throw); then net.connect(socketPath):
  // HINT: 'connect' → alive, throw; 'error' with ECONNREFUSED → stale, rm it.
  throw new NotImplementedError('lesson-03: removeStaleSocket');
}

/**
 * Listens on `socketPath` so that the socket is never, even briefly,
 * reachable by others: the umask is 0177 while binding, so it is born 0600.
 * With a gid, it is then given to that group and opened to 0660.
 */
export async function listenOnSocket(server: http.Server, socketPath: string, gid?: number): Promise<void> {
  // TODO(lesson-03): Listen on socketPath born 0600; with a gid, chown it to that group and chmod 0660.
  // HINT: process.umask(0o177) returns the old mask: restore it (in a finally) as soon as server.listen() returns —
  // HINT: the bind happens inside that call, and the umask applies to every file the whole process creates.
  // HINT: wrap server.listen(path, cb) in a Promise that rejects on the server's 'error' event.
  throw new NotImplementedError('lesson-03: listenOnSocket');
}

/**
 * Shuts the server down: stops accepting, destroys every open connection
 * (idle keep-alives and streams alike, as dockerd does), and resolves once the
 * server has closed. Closing the server is what removes the socket file:
 * Node (libuv) unlinks the path a unix-socket server bound. A daemon killed
 * with SIGKILL never gets there, which is how stale sockets are born.
 */
export async function closeServer(server: http.Server, connections: Set<Socket>): Promise<void> {
  // TODO(lesson-03): Stop accepting, destroy every tracked connection, and wait for the server to close.
  // HINT: call server.close(cb) first (it stops accepting), then destroy the sockets, then await cb.
  throw new NotImplementedError('lesson-03: closeServer');
}
