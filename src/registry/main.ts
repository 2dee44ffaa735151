/**
 * `minidocker-registry`: the registry's command line.
 *
 * ```
 * minidocker-registry [--listen 127.0.0.1:5000] [--root DIR] [--htpasswd FILE [--auth basic|token] [--token-realm URL]] [--allow-remote]
 * ```
 *
 * It prints `minidocker-registry listening on http://HOST:PORT` on stderr once
 * it listens (with `--listen 127.0.0.1:0`, the port the OS chose), runs in the
 * foreground until SIGTERM or SIGINT, then closes the server and exits 0.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { NotImplementedError } from '../errors.js';
import { defaultDataRoot, packageVersion } from '../config.js';
import { parseServerCommandLine } from '../server-command-line.js';
import { startRegistry } from './server.js';

/** The streams and environment the registry runs with (bin/launch.js passes the process's). */
export interface RegistryIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The parsed command line. */
export interface RegistryFlags {
  listen: string;
  root: string;
  htpasswd?: string;
  auth?: 'basic' | 'token';
  tokenRealm?: string;
  allowRemote?: boolean;
}

/** The signals that stop the registry cleanly. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Parses the command line and runs the registry until a shutdown signal.
 * @returns the exit code: 0 after a clean shutdown (and for --help/--version),
 *   1 when the registry could not start, 2 for a bad command line.
 */
export async function main(argv: string[], io: RegistryIO): Promise<number> {
  const program = new Command('minidocker-registry')
    .description('The mini Docker registry: the OCI distribution API over HTTP, on loopback by default.')
    .option('--listen <host:port>', 'address to listen on (port 0: any free port)', '127.0.0.1:5000')
    .option('--root <dir>', 'where repositories, blobs and uploads are kept', path.join(defaultDataRoot(io.env), 'registry'))
    .option('--htpasswd <file>', 'require credentials from this htpasswd file (bcrypt or {SHA} entries)')
    .addOption(new Option('--auth <mode>', 'how clients authenticate: basic, or token (Bearer, via /token)').choices(['basic', 'token']))
    .option('--token-realm <url>', 'the token endpoint announced in Bearer challenges (default: this registry\'s /token)')
    .option('--allow-remote', 'allow a listen address other than loopback')
    .version(packageVersion(), '-v, --version');
  const exit = parseServerCommandLine(program, argv, io);
  if (exit !== undefined) return exit;
  return runRegistry(program.opts<RegistryFlags>(), io);
}

/**
 * Starts the registry, reports where it listens on stderr, waits for SIGTERM
 * or SIGINT, closes it and returns 0. A start failure (a remote address, a
 * port in use, a missing htpasswd file) is printed as `minidocker-registry: <message>` and returns 1.
 */
export async function runRegistry(flags: RegistryFlags, io: RegistryIO): Promise<number> {
  // TODO(lesson-07): Start the registry, print `minidocker-registry listening on <url>`, and on SIGTERM/SIGINT close it and return 0.
  // HINT: a start failure is printed as `minidocker-registry: <message>` and returns 1.
  // HINT: the harness reads the "listening on http://…" line from stderr to learn the port.
  throw new NotImplementedError('lesson-07: runRegistry');
}
