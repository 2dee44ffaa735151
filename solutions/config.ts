/**
 * Provided: the defaults and addresses every executable shares; no lesson asks you to change it.
 *
 * Where the mini Docker keeps things by default, and how `-H` addresses are read.
 *
 * Defaults follow DESIGN §4: as root the socket is `/run/minidocker.sock` and
 * the data root `/var/lib/minidocker`; otherwise `$XDG_RUNTIME_DIR/minidocker.sock`
 * and `~/.local/share/minidocker`. `MINIDOCKER_HOST` overrides the client's socket.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable the client reads for the daemon address. */
export const HOST_ENV = 'MINIDOCKER_HOST';

/** Whether the current process runs as root (rootful runc, system paths). */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The default daemon socket path for this user. */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env, root: boolean = isRoot()): string {
  if (root) return '/run/minidocker.sock';
  const runtimeDir = env.XDG_RUNTIME_DIR || path.join(os.tmpdir(), `minidocker-${os.userInfo().uid}`);
  return path.join(runtimeDir, 'minidocker.sock');
}

/** The default data root for this user. */
export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env, root: boolean = isRoot()): string {
  if (root) return '/var/lib/minidocker';
  const dataHome = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(dataHome, 'minidocker');
}

/**
 * Reads a docker-style host address. Only unix sockets are supported:
 * `unix:///path/to.sock`, or a bare absolute path.
 * @returns the socket path.
 * @throws Error naming the accepted form for a `tcp://` or malformed address.
 */
export function parseHost(host: string): string {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    if (socketPath.startsWith('/')) return socketPath;
  } else if (host.startsWith('/')) {
    return host;
  }
  throw new Error(`invalid host "${host}": use unix:///absolute/path/to.sock`);
}

/**
 * The socket the client talks to: `-H` if given, else `MINIDOCKER_HOST`, else the default.
 */
export function resolveClientSocket(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const host = flag ?? env[HOST_ENV];
  return host ? parseHost(host) : defaultSocketPath(env);
}

let version: string | undefined;

/**
 * The version in the repository's package.json, e.g. `0.1.0`, which the
 * client, the daemon and the registry all report; `0.0.0` when unreadable.
 * The file is found by walking up from this module, so the answer is the same
 * from the sources, from `dist/` and from a bundled executable.
 */
export function packageVersion(): string {
  if (version !== undefined) return version;
  version = '0.0.0';
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dockerlings') {
        version = pkg.version ?? version;
        break;
      }
    } catch {
      // no package.json here: go on up
    }
    if (path.dirname(dir) === dir) break;
  }
  return version;
}
